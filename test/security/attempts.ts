// attempts.ts: every escape attempt as a row: what the guest does, how it must end, and why.
import { syscallName } from '../../src/native/index.js';
import { MEMORY, PAYLOADS, type Row, SIBLINGS, WX } from './calls.js';
import {
  BLK_FD,
  BLOCK_SIZE,
  CAPACITY,
  EPOLL_FD,
  LAST_BLOCK,
  NET_FD,
  TIMER_FD,
} from './geometry.js';
import type { HostTraits } from './host.js';

/** How a contained attempt ends, as a shell status: the kernel kills the guest with it. */
export type Outcome = 'SIGSYS' | 'SIGSEGV' | 'SIGILL';
export const STATUS: Readonly<Record<Outcome, number>> = {
  SIGSYS: 159, // the seccomp filter's default action, kill process
  SIGSEGV: 139, // the page tables refused an access
  SIGILL: 132, // the CPU has no such instruction in this mode: no kernel entry at all
};

export const GROUPS = [
  'x86_64 numbers',
  'x32 numbers',
  'i386 int 0x80',
  'compat entries',
  'console neighbours',
  'arguments',
  'siblings',
  'W+X',
  'memory',
  'host payloads',
] as const;
export type Group = (typeof GROUPS)[number];

export interface Attempt {
  name: string;
  group: Group;
  /** The guest's words after the name: VIA [NR [ARG...]]; {dir} is the watched directory. */
  command: string[];
  expect: Outcome;
  /** What is known about this attempt on some kernels, shown when it fails. */
  note?: string;
  /** Set for the FILTER_EXEMPT numbers: the kernel-dependent ending is accepted too. */
  exemptNr?: number;
}

/** The newest x86_64 numbers are in the 460s (Linux 6.17); sweep a little past them. */
export const LAST_X86_64 = 470;
/** x32 ends at 547 (its own numbers 512-547); i386 shares the newest numbers with x86_64. */
export const LAST_X32 = 547;
export const LAST_I386 = 470;

/**
 * Six all-ones arguments for the sweeps: every pinned argument is wrong, and nearly every call
 * would fail (EBADF, EFAULT, EINVAL) should the filter ever let one run. Zeros would not do:
 * clock_gettime(0) is allowed, and as root sethostname(NULL, 0) would succeed.
 */
const POISON = Array<string>(6).fill('-1');
/** v with bit 32 set: equal in its low half, so a filter comparing only 32 bits would let it by. */
const high = (v: number): string => `0x${(BigInt(v) + 2n ** 32n).toString(16)}`;
const label = (v: string | number): string => String(v).replace(/^-/, 'neg');

/** x86_64 numbers the sweep leaves out, with the reason; everything else from 0 is tried. */
export const NOT_SWEPT: Readonly<Record<number, string>> = {
  231: 'exit_group is allowed with any argument (solo5_exit); the exit-group control runs it',
};

/**
 * Numbers Linux itself lets past every seccomp filter, for the native ABI only
 * (kernel/seccomp.c, seccomp_uprobe_exception: the filter is never run for them), and how
 * each then ends on kernels that have the exemption. No filter can stop them, so the suite
 * accepts that ending besides SIGSYS (older kernels) — and still requires that the attempt
 * left no trace on the host. The summary counts them apart.
 */
export const FILTER_EXEMPT: Readonly<
  Record<number, { why: string; status: number; ret?: number }>
> = {
  335: {
    why:
      'uretprobe (Linux 6.11+) is exempt from seccomp filters since "seccomp: passthrough uretprobe ' +
      'systemcall without filtering" (6.14, backported to stable); outside a uretprobe trampoline ' +
      'the kernel kills the caller with SIGILL',
    status: 132, // SIGILL, sent by the kernel's uretprobe handler
  },
  336: {
    why:
      'uprobe (Linux 6.18+) is exempt from seccomp filters ("seccomp: passthrough uprobe ' +
      'systemcall without filtering"); outside a uprobe trampoline it returns -ENXIO (-6) and does nothing',
    status: 0,
    ret: -6, // -ENXIO: the guest prints ESCAPED with it and exits 0
  },
};

function sweeps(traits: HostTraits): Attempt[] {
  const out: Attempt[] = [];
  const i386: Outcome = traits.ia32 ? 'SIGSYS' : 'SIGSEGV';
  for (let nr = 0; nr <= LAST_X86_64; nr++) {
    if (nr in NOT_SWEPT) continue;
    const known = syscallName(nr);
    const name = `syscall-${nr}${known ? `-${known}` : ''}`;
    out.push({
      name,
      group: 'x86_64 numbers',
      command: ['syscall', String(nr), ...POISON],
      expect: 'SIGSYS',
      ...(nr in FILTER_EXEMPT ? { note: FILTER_EXEMPT[nr]?.why, exemptNr: nr } : {}),
    });
  }
  // Beyond the table, and numbers whose high bits the kernel drops (0x100000000 is read).
  for (const nr of [
    '500',
    '511',
    '512',
    '547',
    '548',
    '1000',
    '1023',
    '1024',
    '4095',
    '0x3fffffff',
    '0x7fffffff',
    '0x80000000',
    '0xbfffffff',
    '0xc0000000',
    '0xffffffff',
    '0x100000000',
    '-1',
  ]) {
    out.push({
      name: `syscall-${label(nr)}`,
      group: 'x86_64 numbers',
      command: ['syscall', nr, ...POISON],
      expect: 'SIGSYS',
    });
  }
  for (let nr = 0; nr <= LAST_X32; nr++)
    out.push({
      name: `x32-${nr}`,
      group: 'x32 numbers',
      command: ['x32', String(nr), ...POISON],
      expect: 'SIGSYS',
    });
  out.push(
    {
      name: 'x32-0x3fffffff',
      group: 'x32 numbers',
      command: ['x32', '0x3fffffff', ...POISON],
      expect: 'SIGSYS',
    },
    // The allowed calls with their allowed arguments, but the x32 bit set.
    {
      name: 'x32-write-console',
      group: 'x32 numbers',
      command: ['x32', '1', '1', '@msg', '17'],
      expect: 'SIGSYS',
    },
    {
      name: 'x32-clock-monotonic',
      group: 'x32 numbers',
      command: ['x32', '228', '1', '@zero'],
      expect: 'SIGSYS',
    },
  );
  for (let nr = 0; nr <= LAST_I386; nr++)
    out.push({
      name: `int80-${nr}`,
      group: 'i386 int 0x80',
      command: ['int80', String(nr), ...POISON],
      expect: i386,
    });
  out.push(
    {
      name: 'int80-1000',
      group: 'i386 int 0x80',
      command: ['int80', '1000', ...POISON],
      expect: i386,
    },
    {
      name: 'int80-0xffffffff',
      group: 'i386 int 0x80',
      command: ['int80', '0xffffffff', ...POISON],
      expect: i386,
    },
    // i386 write(1, msg, 17): a console write with good arguments, through the wrong door.
    {
      name: 'int80-write-console',
      group: 'i386 int 0x80',
      command: ['int80', '4', '1', '@msg', '17'],
      expect: i386,
    },
  );
  return out;
}

/** The other ways into the kernel: 32-bit code, sysenter, the vsyscall page. */
function compat(traits: HostTraits): Attempt[] {
  const group = 'compat entries';
  const i386: Outcome = traits.ia32 ? 'SIGSYS' : 'SIGSEGV';
  const viaSyscall: Outcome = traits.cpu === 'amd' ? i386 : 'SIGILL';
  const viaSysenter: Outcome = traits.cpu === 'amd' ? 'SIGILL' : i386;
  const out: Attempt[] = [];
  // i386 exit (1), write (4), getpid (20), exit_group (252), all arguments zero.
  for (const nr of ['1', '4', '20', '252']) {
    out.push(
      { name: `cs32-int80-${nr}`, group, command: ['cs32-int80', nr], expect: i386 },
      { name: `cs32-syscall-${nr}`, group, command: ['cs32-syscall', nr], expect: viaSyscall },
      { name: `sysenter-${nr}`, group, command: ['sysenter', nr], expect: viaSysenter },
    );
  }
  // The kernel emulates these three calls for the vsyscall page, through the filter.
  const vsys: Outcome = traits.vsyscall ? 'SIGSYS' : 'SIGSEGV';
  out.push(
    { name: 'vsyscall-gettimeofday', group, command: ['vsyscall', '0', '@zero'], expect: vsys },
    { name: 'vsyscall-time', group, command: ['vsyscall', '1', '0'], expect: vsys },
    { name: 'vsyscall-getcpu', group, command: ['vsyscall', '2', '@zero'], expect: vsys },
  );
  return out;
}

/**
 * write(fd, msg, 17) next to the console (fd 1): stdin, stderr, the epoll set (3), the
 * timerfd (4), the block device (5: the write would land in the disk image), unused numbers,
 * and 1 with bit 32 set. 6 is the net device, where writes are allowed (a control).
 */
function consoleNeighbours(): Attempt[] {
  const fds = [0, 2, EPOLL_FD, TIMER_FD, BLK_FD, 7, 8, 9, 10, 16, 63, 64, 255, 256, 1023, 1024];
  const words = [...fds.map(String), '65535', '0x7fffffff', '-1', '-100', high(1)];
  return words.map((fd) => ({
    name: `write-fd-${label(fd)}`,
    group: 'console neighbours' as const,
    command: ['syscall', '1', fd, '@msg', '17'],
    expect: 'SIGSYS' as const,
  }));
}

/** Each allowed call with one pinned argument changed (docs/abi.md §5.1). */
function argumentsChanged(): Attempt[] {
  const out: Attempt[] = [];
  const add = (name: string, command: string[]) =>
    out.push({ name, group: 'arguments', command, expect: 'SIGSYS' });
  const others = (own: number) =>
    [0, 1, 2, EPOLL_FD, TIMER_FD, BLK_FD, NET_FD, 7].filter((fd) => fd !== own).map(String);

  // read is allowed on the net device only.
  for (const fd of [...others(NET_FD), high(NET_FD)])
    add(`read-fd-${fd}`, ['syscall', '0', fd, '@buf', '64']);
  add(`write-fd-${high(NET_FD)}`, ['syscall', '1', high(NET_FD), '@msg', '17']);

  // pread64/pwrite64: this device, exactly one block, offset <= capacity - block size.
  const cap = CAPACITY;
  const counts = ['0', '1', '511', '513', '1024', '4096', '65536', high(BLOCK_SIZE), '-1'];
  const offsets = [
    String(LAST_BLOCK + 1),
    String(cap),
    String(cap + BLOCK_SIZE),
    '0x100000000',
    high(LAST_BLOCK),
    '0x8000000000000000',
    '-512',
    '-1',
  ];
  for (const [call, nr] of [
    ['pread', '17'],
    ['pwrite', '18'],
  ] as const) {
    for (const fd of [...others(BLK_FD), high(BLK_FD)])
      add(`${call}-fd-${fd}`, ['syscall', nr, fd, '@buf', '512', '0']);
    for (const n of counts)
      add(`${call}-count-${label(n)}`, ['syscall', nr, String(BLK_FD), '@buf', n, '0']);
    for (const off of offsets)
      add(`${call}-offset-${label(off)}`, ['syscall', nr, String(BLK_FD), '@buf', '512', off]);
  }
  // Two blocks from the last one: in range at its start, but the file would grow by a block.
  add('pwrite-count-1024-at-last', [
    'syscall',
    '18',
    String(BLK_FD),
    '@buf',
    '1024',
    String(LAST_BLOCK),
  ]);

  // clock_gettime: CLOCK_REALTIME (0) and CLOCK_MONOTONIC (1) only. Negative ids are CPU-time
  // clocks (-2 this thread, -14 pid 1) and posix clocks on descriptors (-29 fd 3, -45 fd 5).
  for (const clock of [
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '10',
    '11',
    '12',
    '15',
    '16',
    '1000',
    '-1',
    '-2',
    '-14',
    '-29',
    '-45',
    high(0),
    high(1),
  ])
    add(`clock-${label(clock)}`, ['syscall', '228', clock, '@zero']);

  // arch_prctl: ARCH_SET_FS (0x1002) only. GS, the getters, CPUID faulting, AMX permissions,
  // vDSO mapping (0x200x), tagged addresses (0x400x), shadow stacks (0x500x).
  for (const code of [
    '0',
    '0x1001',
    '0x1003',
    '0x1004',
    '0x1011',
    '0x1012',
    '0x1021',
    '0x1022',
    '0x1023',
    '0x1024',
    '0x1025',
    '0x2001',
    '0x2002',
    '0x2003',
    '0x4001',
    '0x4002',
    '0x4003',
    '0x4004',
    '0x5001',
    '0x5002',
    '0x5003',
    '0x5004',
    '0x5005',
    high(0x1002),
    '-1',
  ])
    add(`arch-prctl-${label(code)}`, ['syscall', '158', code, '@zero']);

  // epoll_pwait on the epoll set only; timerfd_settime on the timerfd only.
  for (const fd of [...others(EPOLL_FD), high(EPOLL_FD)])
    add(`epoll-pwait-fd-${fd}`, ['syscall', '281', fd, '@zero', '1', '0', '0', '8']);
  for (const fd of [...others(TIMER_FD), high(TIMER_FD)])
    add(`timerfd-settime-fd-${fd}`, ['syscall', '286', fd, '0', '@zero', '0']);
  return out;
}

/** Rows of one group that must all be killed by the filter. */
function killed(group: Group, rows: Row[]): Attempt[] {
  return rows.map(([name, nr, ...args]) => ({
    name,
    group,
    command: ['syscall', String(nr), ...args],
    expect: 'SIGSYS' as const,
  }));
}

export function buildAttempts(traits: HostTraits): Attempt[] {
  return [
    ...sweeps(traits),
    ...compat(traits),
    ...consoleNeighbours(),
    ...argumentsChanged(),
    ...killed('siblings', SIBLINGS),
    ...killed('W+X', WX),
    ...MEMORY.map((probe) => ({
      name: probe,
      group: 'memory' as const,
      command: ['mem', probe],
      expect: 'SIGSEGV' as const,
    })),
    ...killed('host payloads', PAYLOADS),
  ];
}
