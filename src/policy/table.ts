// table.ts: the hypercall allowlist of docs/abi.md §5 as data: one row per rule, with its reason; device kinds' rows collected from their modules.

import type { DeviceKind } from '../devices/kind.js';
import { deviceKinds } from '../devices/registry.js';
import type { DeviceType } from '../elf/abi.js';

/**
 * A value a rule compares against, resolved for one run's descriptor layout and devices: a
 * constant, a descriptor number (the console, the epoll set, the timerfd, the device's own),
 * or a field of the device that its kind resolves (a block device's block size).
 */
export type Operand =
  | { literal: bigint }
  | { slot: 'console' | 'epoll' | 'timer' | 'device' }
  | { field: string };

export interface RuleTemplate {
  syscall: string;
  /** x86_64 system call number, for reports and simulation. */
  nr: number;
  args: ReadonlyArray<{ index: 0 | 1 | 2 | 3 | 4 | 5; op: 'eq' | 'le'; operand: Operand }>;
  reason: string;
}

const CLOCK_REALTIME = 0n;
const CLOCK_MONOTONIC = 1n;
const ARCH_SET_FS = 0x1002n;

/** Rules every guest gets. */
export const CORE_RULES: readonly RuleTemplate[] = [
  {
    syscall: 'write',
    nr: 1,
    args: [{ index: 0, op: 'eq', operand: { slot: 'console' } }],
    reason: 'solo5_console_write: the console is descriptor 1',
  },
  { syscall: 'exit_group', nr: 231, args: [], reason: 'solo5_exit and solo5_abort' },
  {
    syscall: 'clock_gettime',
    nr: 228,
    args: [{ index: 0, op: 'eq', operand: { literal: CLOCK_MONOTONIC } }],
    reason: 'solo5_clock_monotonic',
  },
  {
    syscall: 'clock_gettime',
    nr: 228,
    args: [{ index: 0, op: 'eq', operand: { literal: CLOCK_REALTIME } }],
    reason: 'solo5_clock_wall',
  },
  {
    syscall: 'epoll_pwait',
    nr: 281,
    args: [{ index: 0, op: 'eq', operand: { slot: 'epoll' } }],
    reason: 'solo5_yield waits on the tender-made epoll set',
  },
  {
    syscall: 'timerfd_settime',
    nr: 286,
    args: [{ index: 0, op: 'eq', operand: { slot: 'timer' } }],
    reason: 'solo5_yield arms its deadline on the tender-made timerfd',
  },
  {
    syscall: 'arch_prctl',
    nr: 158,
    args: [{ index: 0, op: 'eq', operand: { literal: ARCH_SET_FS } }],
    reason: 'solo5_set_tls_base sets the FS base, nothing else',
  },
];

/**
 * Rules each attached device adds, by kind. Each kind's rows sit in its module, beside the
 * code that opens the descriptor they are tied to (src/devices/block.ts: pread64 and pwrite64
 * of one block; src/devices/net.ts: read and write of one frame); this lists them all, with
 * the core rules above, for whoever reads the whole table (docs/abi.md §5).
 */
export function deviceRules(): ReadonlyArray<{
  kind: string;
  type: DeviceType;
  rules: readonly RuleTemplate[];
}> {
  return deviceKinds().map((kind) => ({ kind: kind.key, type: kind.type, rules: kind.rules }));
}

/** The rows a device of `kind` adds. */
export function rulesOf(kind: DeviceKind): readonly RuleTemplate[] {
  return kind.rules;
}
