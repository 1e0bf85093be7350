// registry.ts: the device kinds nabla knows, in the order options, requests, rules and reports list them.
import type { DeviceType } from '../elf/abi.js';
import { block } from './block.js';
import type { DeviceKind } from './kind.js';
import { net } from './net.js';

/** The kinds built in; a new kind is its module and one entry here (docs/adding-a-device.md). */
const BUILT_IN = [block, net] as const;

const kinds: DeviceKind[] = [...BUILT_IN];

/** Every kind, built-in ones first. */
export function deviceKinds(): readonly DeviceKind[] {
  return kinds;
}

/** The kind whose RunOptions field is `key` ('block'). */
export function deviceKind(key: string): DeviceKind | undefined {
  return kinds.find((kind) => kind.key === key);
}

/**
 * The kind that describes devices of a manifest type in a report, where only the type is known
 * (a report read back from its JSON): the first kind attaching that type.
 */
export function kindOfType(type: DeviceType): DeviceKind | undefined {
  return kinds.find((kind) => kind.type === type);
}

/**
 * Adds a kind after the built-in ones (a kind a program or a test brings along); returns the
 * function that removes it again. Its key and option names must be new.
 */
export function registerDeviceKind(kind: DeviceKind): () => void {
  const options = new Set(kinds.flatMap((k) => k.options.map((o) => o.name)));
  if (deviceKind(kind.key) !== undefined) throw new Error(`device kind '${kind.key}' exists`);
  const clash = kind.options.find((o) => options.has(o.name));
  if (clash !== undefined) throw new Error(`option --${clash.name} belongs to another kind`);
  kinds.push(kind);
  return () => {
    const at = kinds.indexOf(kind);
    if (at >= BUILT_IN.length) kinds.splice(at, 1);
  };
}

/** The RunOptions entry type of a kind: what its toCommandLine takes. */
type EntryOf<K extends DeviceKind> = Parameters<K['toCommandLine']>[0];

/** RunOptions' device fields, one per built-in kind: `block?: BlockOptions[]`, `net?: NetOptions[]`. */
export type DeviceRunOptions = {
  [K in (typeof BUILT_IN)[number] as K['key']]?: Array<EntryOf<K>>;
};
