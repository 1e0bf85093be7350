// index.ts: the summoning front and the tap pool, as the daemon uses them.
export { formatSummonAddress, parseSummonAddress, type SummonAddress } from './address.js';
export { dial, type GuestAddress } from './dial.js';
export type {
  ExitedEvent,
  FailedEvent,
  IdleStopEvent,
  ReadyEvent,
  SummonEvent,
  SummonEventMap,
} from './events.js';
export {
  SummonFront,
  type SummonFrontOptions,
  type SummonState,
  type SummonTarget,
} from './front.js';
export { type SpliceEnd, splice } from './splice.js';
export { type Pool, parsePool, type Slot, slotOf } from './subnet.js';
export { type TapLease, TapPool, type TapPoolOptions } from './tap.js';
export { withTap } from './wire.js';
