// table.ts: the hypercall allowlist of docs/abi.md §5 as data: one row per rule, with its reason.

/** A value a rule compares against, resolved for one run's descriptor layout and devices. */
export type Operand =
  | { literal: bigint }
  | { slot: 'console' | 'epoll' | 'timer' | 'device' | 'blockSize' | 'lastBlockOffset' };

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

/** For block I/O: this device, exactly one block, never past the last block (no file growth). */
const BLOCK_ARGS: RuleTemplate['args'] = [
  { index: 0, op: 'eq', operand: { slot: 'device' } },
  { index: 2, op: 'eq', operand: { slot: 'blockSize' } },
  { index: 3, op: 'le', operand: { slot: 'lastBlockOffset' } },
];
const NET_ARGS: RuleTemplate['args'] = [{ index: 0, op: 'eq', operand: { slot: 'device' } }];

/** Rules each attached device adds, by manifest type. */
export const DEVICE_RULES: Readonly<Record<'BLOCK_BASIC' | 'NET_BASIC', readonly RuleTemplate[]>> =
  {
    BLOCK_BASIC: [
      { syscall: 'pread64', nr: 17, args: BLOCK_ARGS, reason: 'solo5_block_read of one block' },
      { syscall: 'pwrite64', nr: 18, args: BLOCK_ARGS, reason: 'solo5_block_write of one block' },
    ],
    NET_BASIC: [
      {
        syscall: 'read',
        nr: 0,
        args: NET_ARGS,
        reason: 'solo5_net_read of one frame from the tap',
      },
      {
        syscall: 'write',
        nr: 1,
        args: NET_ARGS,
        reason: 'solo5_net_write of one frame to the tap',
      },
    ],
  };
