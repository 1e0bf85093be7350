// index.ts: the public API of the nabla package.
export { type GuestHandle, type GuestOutput, prepare, type RunOptions, run } from './api.js';
export { NablaError } from './errors.js';
export type { GuestExit } from './launch/spawn.js';
export type { PolicyRule } from './policy/rules.js';
