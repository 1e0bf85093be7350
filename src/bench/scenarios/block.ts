// block.ts: block device throughput (MB/s, IOPS) on a file-backed device, nabla guest vs its hosted build.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { peerMissing, peerPath } from '../peer.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';
import {
  type BlockOp,
  type GuestTarget,
  guestMissing,
  makeDisk,
  runBenchGuest,
} from './hypercalls-guest.js';

/*
 * The hypercalls guest again, now making one pass over the whole device per workload: as many
 * one-block calls as the device has blocks, sequential or at random offsets, with no warm-up
 * (a warm-up would be a pass of its own). Solo5's block API moves exactly one block per call,
 * so a workload's transfer size is the device's block size. The backing file sits in the
 * run's scratch directory and, read back right after it was written, in the page cache: these
 * figures are the hypercall path plus memory copies, not the disk. Both builds use the same
 * file, the same arguments and the same syscalls (pread64/pwrite64, one per block); with
 * --peer solo5-spt=PATH the same .nabla runs under upstream's tender too.
 */

const BLOCK_SIZE = 4096;
/** The device's size in MiB: 64 quick, 256 full (the sizes). */
const BLOCK_DISK_MIB: Readonly<Record<'quick' | 'full', number>> = { quick: 64, full: 256 };

interface Workload {
  id: string;
  op: BlockOp;
  pattern: 'seq' | 'rand';
}

const WORKLOADS: readonly Workload[] = [
  { id: 'seq_read_4096', op: 'block-read', pattern: 'seq' },
  { id: 'seq_write_4096', op: 'block-write', pattern: 'seq' },
  { id: 'rand_read_4096', op: 'block-read', pattern: 'rand' },
];

const diskPath = (ctx: BenchContext) => join(ctx.scratch, 'block.img');

/** MB/s in decimal megabytes (10^6 bytes), as storage throughput is usually quoted. */
function throughput(id: string, calls: number, totalNs: number): Measurement[] {
  const seconds = totalNs / 1e9;
  return [
    {
      metric: `${id}.mb_per_s`,
      unit: 'MB/s',
      value: (calls * BLOCK_SIZE) / 1e6 / seconds,
      better: 'higher',
    },
    { metric: `${id}.iops`, unit: 'IOPS', value: calls / seconds, better: 'higher' },
  ];
}

/** A scenario over a device of the given size (the tests run it with a tiny one). */
export function blockScenario(
  diskMiB: Readonly<Record<'quick' | 'full', number>> = BLOCK_DISK_MIB,
): Scenario {
  const mib = (ctx: BenchContext) => (ctx.quick ? diskMiB.quick : diskMiB.full);
  /** One process per workload, each one pass over the device. */
  const measure = async (ctx: BenchContext, target: GuestTarget) => {
    const blocks = (mib(ctx) << 20) / BLOCK_SIZE;
    const out: Measurement[] = [];
    for (const w of WORKLOADS) {
      const result = await runBenchGuest(
        target,
        {
          op: w.op,
          calls: blocks,
          rounds: 1,
          warmup: 0,
          blockSize: BLOCK_SIZE,
          pattern: w.pattern,
          disk: diskPath(ctx),
        },
        ctx.signal,
      );
      out.push(...throughput(w.id, result.calls, result.totalNs));
    }
    return out;
  };

  const variants: Variant[] = [
    { name: 'hosted', unavailable: guestMissing, trial: (ctx) => measure(ctx, 'hosted') },
    { name: 'nabla', unavailable: guestMissing, trial: (ctx) => measure(ctx, 'nabla') },
    {
      name: 'solo5-spt',
      unavailable: async (ctx) => peerMissing(ctx) ?? guestMissing(),
      trial: (ctx) => measure(ctx, { peer: peerPath(ctx) }),
    },
  ];

  return {
    name: 'block',
    title:
      `block throughput, ${BLOCK_SIZE}-byte blocks over a file-backed device ` +
      `(${diskMiB.quick} MiB quick, ${diskMiB.full} MiB full; page cache): nabla guest (and ` +
      'under upstream solo5-spt, with --peer) vs its hosted build, one pass per workload',
    baseline: 'hosted',
    peer: 'solo5-spt',
    trials: { quick: 5, full: 10 },
    warmup: 1,
    variants,
    async setup(ctx) {
      await makeDisk(diskPath(ctx), mib(ctx));
    },
    async teardown(ctx) {
      await rm(diskPath(ctx), { force: true });
    },
  };
}

export const block: Scenario = blockScenario();
