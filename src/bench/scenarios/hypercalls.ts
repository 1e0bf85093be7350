// hypercalls.ts: ns per hypercall (clocks, yield, block I/O) in a guest and in its hosted twin, same syscalls.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runtimeMissing } from '../oci.js';
import { peerMissing, peerPath } from '../peer.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import {
  type GuestOp,
  type GuestTarget,
  guestMissing,
  hostedFilter,
  makeDisk,
  runBenchGuest,
} from './hypercalls-guest.js';

/*
 * One guest, benchmarks/guests/hypercalls, built twice by scripts/build-guests.mjs: as a
 * unikernel for nabla-run and as a normal Linux program over glibc (the SDK's hosted target).
 * Each (variant, operation) is one fresh process that warms up, times a few rounds of CALLS
 * calls with solo5_clock_monotonic() and prints its fastest round; ns per call is
 * total_ns / calls.
 *
 * "The same syscalls" is checked with strace (test/bench/scenarios.test.ts): per call both
 * builds make one pread64, one pwrite64 or one epoll_pwait, once glibc's epoll_wait is made
 * spt's epoll_pwait. The baseline runs with syscalls=spt (the hosted SDK then makes spt's
 * exact calls; see the guest's host_options.h), which includes the clock_gettime system call
 * for every clock read: what any spt guest pays under upstream's tender, and an SDK guest under
 * nabla's only where the vDSO cannot read the clocksource. For under nabla's tender the SDK
 * reads both clocks through the vDSO, whose clock_gettime the tender publishes in its
 * extension page (docs/abi.md §4.5), as glibc does in a normal process: the guest's clock
 * figures are a call into the vDSO, not a system call, and compare with 'hosted-glibc'
 * (syscalls=glibc, what a normal process pays for the clocks and yield) and, for the SDK's
 * syscall path, with 'solo5-spt'. A yield with a past deadline is one clock read and
 * epoll_pwait on both sides. 'hosted+filter' is the baseline under a copy of the guest's own seccomp
 * filter: it separates the filter's cost from everything else spt does differently, and
 * 'hosted+allow-all' splits that cost into seccomp mode itself and the filter program.
 * 'solo5-spt' (with --peer solo5-spt=PATH) runs the same .nabla, arguments and device under
 * upstream's tender: the same guest code, the other tender's filter and set-up.
 */

interface Operation {
  /** Metric prefix. */
  id: string;
  op: GuestOp;
  blockSize: number;
  pattern: 'seq' | 'rand';
}

const OPERATIONS: readonly Operation[] = [
  { id: 'clock_monotonic', op: 'clock-monotonic', blockSize: 512, pattern: 'seq' },
  { id: 'clock_wall', op: 'clock-wall', blockSize: 512, pattern: 'seq' },
  { id: 'yield_poll', op: 'yield', blockSize: 512, pattern: 'seq' },
  ...(['block-read', 'block-write'] as const).flatMap((op) =>
    [512, 4096].flatMap((blockSize) =>
      (['seq', 'rand'] as const).map((pattern) => ({
        id: `${op.replace('-', '_')}_${blockSize}_${pattern}`,
        op,
        blockSize,
        pattern,
      })),
    ),
  ),
];
const isBlock = (o: Operation) => o.op === 'block-read' || o.op === 'block-write';
/** The operations without block I/O: the variants that only explain the clocks run these. */
const NON_BLOCK = OPERATIONS.filter((o) => !isBlock(o));
const BLOCK_SIZES = [...new Set(OPERATIONS.map((o) => o.blockSize))];

/** Calls per timed round (clocks and yield, block I/O) and rounds per process. */
export interface HypercallSizes {
  clockCalls: number;
  blockCalls: number;
  rounds: number;
}

/*
 * Many short rounds, well under a millisecond to a few: still thousands of times the clock's
 * resolution, and much shorter than a scheduler slice, so that even on a busy machine most
 * rounds run without another process taking the CPU in the middle, and without the rare slow
 * call (a journal commit behind a write); the fastest round is what counts: the fast path's
 * cost, which is where a per-call overhead shows. (The block scenario keeps the slow calls.)
 */
const HYPERCALL_SIZES: Readonly<Record<'quick' | 'full', HypercallSizes>> = {
  quick: { clockCalls: 2_000, blockCalls: 1_000, rounds: 20 },
  full: { clockCalls: 2_000, blockCalls: 1_000, rounds: 100 },
};

/*
 * Rounds per process for runsc. Under ptrace a call costs tens of µs, so one round of thousands
 * of calls already lasts tens of ms, far above the clock's resolution; 100 of them for each of
 * eleven operations made one full trial last about half a minute.
 */
const RUNSC_ROUNDS: Readonly<Record<'quick' | 'full', number>> = { quick: 3, full: 10 };

/** The block device: small enough to stay in the page cache. */
const DISK_MIB = 16;

const diskPath = (ctx: BenchContext) => join(ctx.scratch, 'hypercalls.img');
const filterPath = (ctx: BenchContext, blockSize: number) =>
  join(ctx.scratch, `hypercalls-filter-${blockSize}.bpf`);
const allowAllPath = (ctx: BenchContext) => join(ctx.scratch, 'hypercalls-allow-all.bpf');

/*
 * "ret ALLOW" and nothing else: the process is in seccomp mode, but the kernel's action cache
 * (Linux 5.11+) sees that every syscall is allowed whatever its arguments and skips the
 * program. What remains is the price of seccomp mode itself, paid by any sandboxed process.
 */
const ALLOW_ALL = Buffer.from([0x06, 0, 0, 0, 0x00, 0x00, 0xff, 0x7f]);

/** The hosted SDK makes spt's syscalls: the clock_gettime system call, epoll_pwait (spt ignores it). */
const SAME_SYSCALLS = ['syscalls=spt'];

/** A scenario with the given sizes (the tests run it with tiny ones). */
export function hypercallsScenario(
  sizes: Readonly<Record<'quick' | 'full', HypercallSizes>> = HYPERCALL_SIZES,
): Scenario {
  /** One process per operation, in table order; one ns_per_call measurement each. */
  const measure = async (
    ctx: BenchContext,
    target: GuestTarget,
    operations: readonly Operation[],
    extra: (o: Operation) => string[],
    maxRounds = Number.POSITIVE_INFINITY,
  ): Promise<Measurement[]> => {
    const full = ctx.quick ? sizes.quick : sizes.full;
    const size = { ...full, rounds: Math.min(full.rounds, maxRounds) };
    const out: Measurement[] = [];
    for (const o of operations) {
      const calls = isBlock(o) ? size.blockCalls : size.clockCalls;
      const result = await runBenchGuest(
        target,
        {
          op: o.op,
          calls,
          rounds: size.rounds,
          warmup: Math.min(1_000, calls),
          blockSize: o.blockSize,
          pattern: o.pattern,
          disk: diskPath(ctx),
          extra: extra(o),
        },
        ctx.signal,
      );
      out.push({
        metric: `${o.id}.ns_per_call`,
        unit: 'ns',
        value: result.nsPerCall,
        better: 'lower',
      });
    }
    return out;
  };

  const variants: Variant[] = [
    {
      name: 'hosted',
      unavailable: guestMissing,
      trial: (ctx) => measure(ctx, 'hosted', OPERATIONS, () => SAME_SYSCALLS),
    },
    {
      name: 'nabla',
      unavailable: guestMissing,
      // syscalls=spt is what spt always does; given so that both get the same arguments.
      trial: (ctx) => measure(ctx, 'nabla', OPERATIONS, () => SAME_SYSCALLS),
    },
    {
      name: 'solo5-spt',
      unavailable: async (ctx) => peerMissing(ctx) ?? guestMissing(),
      // The same .nabla and arguments under upstream's tender (--peer solo5-spt=PATH).
      trial: (ctx) => measure(ctx, { peer: peerPath(ctx) }, OPERATIONS, () => SAME_SYSCALLS),
    },
    // The hosted build in a container (oci.ts): the same syscalls, made through gVisor's
    // Sentry (ptrace: every one a round trip through the tracer) or under crun's seccomp filter.
    ...(['runsc', 'crun'] as const).map(
      (runtime): Variant => ({
        name: runtime,
        unavailable: async () => (await runtimeMissing(runtime)) ?? guestMissing(),
        trial: (ctx) =>
          measure(
            ctx,
            { oci: runtime, root: ctx.scratch },
            OPERATIONS,
            () => SAME_SYSCALLS,
            runtime === 'runsc' ? RUNSC_ROUNDS[ctx.quick ? 'quick' : 'full'] : undefined,
          ),
      }),
    ),
    {
      name: 'hosted+filter',
      unavailable: guestMissing,
      trial: (ctx) =>
        measure(ctx, 'hosted', OPERATIONS, (o) => [
          ...SAME_SYSCALLS,
          `seccomp=${filterPath(ctx, o.blockSize)}`,
        ]),
    },
    {
      name: 'hosted+allow-all',
      unavailable: guestMissing,
      // The floor under 'hosted+filter': the same entry path, no program run.
      trial: (ctx) =>
        measure(ctx, 'hosted', NON_BLOCK, () => [...SAME_SYSCALLS, `seccomp=${allowAllPath(ctx)}`]),
    },
    {
      name: 'hosted-glibc',
      unavailable: guestMissing,
      // Only where glibc's way changes anything: the clocks, and yield (clock read and wait).
      trial: (ctx) => measure(ctx, 'hosted', NON_BLOCK, () => ['syscalls=glibc']),
    },
  ];

  return {
    name: 'hypercalls',
    title:
      'ns per hypercall: nabla guest (and under upstream solo5-spt, with --peer) vs its ' +
      'hosted build making the same syscalls (nabla: clock reads through the vDSO its tender ' +
      'publishes, docs/abi.md §4.5; solo5-spt and hosted: ' +
      'clock reads as the clock_gettime syscall, and epoll_pwait for ' +
      "glibc's epoll_wait; hosted+filter: under a copy of the guest's seccomp filter; " +
      'hosted+allow-all: seccomp mode with an allow-all filter; hosted-glibc: vDSO clock ' +
      'and epoll_wait, as a normal process)',
    baseline: 'hosted',
    peer: 'solo5-spt',
    roles: {
      nabla: 'nabla',
      'solo5-spt': 'solo5-spt',
      runsc: 'runsc',
      crun: 'crun',
      hosted: 'hosted',
    },
    trials: { quick: 3, full: 10 },
    warmup: 1,
    variants,
    async setup(ctx) {
      await makeDisk(diskPath(ctx), DISK_MIB);
      await writeFile(allowAllPath(ctx), ALLOW_ALL);
      const capacity = BigInt(DISK_MIB) << 20n;
      for (const blockSize of BLOCK_SIZES) {
        await writeFile(filterPath(ctx, blockSize), hostedFilter(capacity, blockSize));
      }
    },
    async teardown(ctx) {
      const files = [
        diskPath(ctx),
        allowAllPath(ctx),
        ...BLOCK_SIZES.map((bs) => filterPath(ctx, bs)),
      ];
      await Promise.all(files.map((f) => rm(f, { force: true })));
    },
  };
}

export const hypercalls: Scenario = hypercallsScenario();
