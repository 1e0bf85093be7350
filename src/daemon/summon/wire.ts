// wire.ts: what a tap lease adds to an instance's RunOptions: the net device on the tap with the slot's MAC, and the stack's address arguments.
import type { RunOptions } from '../../api.js';
import type { BytesInput } from '../../bytes.js';
import type { TapLease } from './tap.js';

/** True for a Solo5 logging option (`--solo5:quiet`...), which must come before other words. */
const isSolo5Option = (arg: BytesInput) =>
  (typeof arg === 'string' ? arg : Buffer.from(arg).toString('latin1')).startsWith('--solo5:');

/**
 * The instance's options with the lease wired in: `net` gains the device `netName` (the
 * manifest's name; examples/http and tcp-echo call it `service`) on the lease's tap with its
 * MAC (the host holds a permanent neighbour entry for that MAC), and the guest's arguments get
 * `--ipv4=GUEST/30 --ipv4-gateway=HOST` after any leading `--solo5:` options (the bindings read
 * those only at the start of the command line; the SDK's stack reads its words anywhere) and
 * before the instance's own. Nothing else changes.
 */
export function withTap(options: RunOptions, lease: TapLease, netName = 'service'): RunOptions {
  const args = options.args ?? [];
  let first = 0;
  while (first < args.length && isSolo5Option(args[first] as BytesInput)) first++;
  return {
    ...options,
    args: [...args.slice(0, first), ...lease.guestArgs, ...args.slice(first)],
    net: [...(options.net ?? []), { name: netName, iface: lease.name, mac: lease.mac }],
  };
}
