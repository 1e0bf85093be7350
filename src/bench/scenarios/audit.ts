// audit.ts: wall time of `nabla audit` (the proof only) against the number of block devices, beside nabla-run's boot of the same guest.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NABLA, NABLA_RUN } from '../../package/paths.js';
import { runOptionWords } from '../../run-syntax.js';
import { buildUnikernel } from '../../toolchain/build.js';
import { timeRun } from '../procs.js';
import type { BenchContext, Measurement, Scenario, Variant } from '../types.js';

/*
 * One guest per device count N, built in setup from a generated manifest: it declares N block
 * devices and returns at once. Every trial runs, for each N, one fresh process of each
 * variant with the same N files of 4 KiB attached:
 *   nabla-run    the guest's boot, spawn to exit: the baseline (preparing the filter is shared)
 *   nabla audit  `nabla audit --no-observe --no-footprint --no-peers`: the same preparation, then the
 *                proof that the filter is the policy table and the report (JSON, to /dev/null)
 * Each measurement carries n = N, so the report has one row per device count, and the ratio
 * says how many boots one audit costs.
 */

/** Device counts measured: none, one, a typical many, and the manifest's maximum. */
export const AUDIT_DEVICE_COUNTS: readonly number[] = [0, 1, 16, 63];
const DISK_BYTES = 4096;

const MAIN_C =
  '#include "solo5.h"\n\nint solo5_app_main(const struct solo5_start_info *si)\n{\n    (void)si;\n    return 0;\n}\n';

const dir = (ctx: BenchContext) => join(ctx.scratch, 'audit');
const guestPath = (ctx: BenchContext, n: number) => join(dir(ctx), `blocks${n}.nabla`);
const diskPath = (ctx: BenchContext, i: number) => join(dir(ctx), `storage${i}.img`);
const blockOptions = (ctx: BenchContext, n: number) =>
  runOptionWords({
    kernel: guestPath(ctx, n),
    block: Array.from({ length: n }, (_, i) => ({ name: `storage${i}`, path: diskPath(ctx, i) })),
  });

/** Builds the guest declaring `n` block devices, storage0 .. storage(n-1). */
async function buildGuest(ctx: BenchContext, n: number): Promise<void> {
  const source = join(dir(ctx), `blocks${n}`);
  await mkdir(source, { recursive: true });
  const devices = Array.from({ length: n }, (_, i) => ({
    name: `storage${i}`,
    type: 'BLOCK_BASIC',
  }));
  await writeFile(
    join(source, 'manifest.json'),
    JSON.stringify({ type: 'solo5.manifest', version: 1, devices }),
  );
  await writeFile(join(source, 'main.c'), MAIN_C);
  await buildUnikernel({
    sources: [join(source, 'main.c')],
    manifest: join(source, 'manifest.json'),
    output: guestPath(ctx, n),
  });
}

/** A scenario over these device counts (the tests use small ones). */
export function auditScenario(counts: readonly number[] = AUDIT_DEVICE_COUNTS): Scenario {
  let buildError: string | undefined;
  const variant = (name: string, args: (ctx: BenchContext, n: number) => string[]): Variant => ({
    name,
    unavailable: () => buildError,
    async trial(ctx) {
      const out: Measurement[] = [];
      for (const n of counts) {
        const ms = await timeRun({ file: process.execPath, args: args(ctx, n) }, 120_000);
        out.push({ metric: 'wall_ms', unit: 'ms', value: ms, better: 'lower', n });
      }
      return out;
    },
  });
  return {
    name: 'audit',
    title: `nabla audit --no-observe --no-footprint --no-peers against block devices (${counts.join(', ')}), beside nabla-run booting the same guest (wall time)`,
    baseline: 'nabla-run',
    trials: { quick: 3, full: 10 },
    warmup: 1,
    variants: [
      variant('nabla-run', (ctx, n) => [
        NABLA_RUN,
        ...blockOptions(ctx, n),
        guestPath(ctx, n),
        '--solo5:quiet',
      ]),
      variant('nabla audit', (ctx, n) => [
        NABLA,
        'audit',
        '--no-observe',
        '--no-footprint',
        // Starting gVisor and crun to read their filters back is the same work for any guest.
        '--no-peers',
        '--format',
        'json',
        ...blockOptions(ctx, n),
        guestPath(ctx, n),
      ]),
    ],
    async setup(ctx) {
      buildError = undefined;
      await mkdir(dir(ctx), { recursive: true });
      const most = Math.max(0, ...counts);
      const disk = Buffer.alloc(DISK_BYTES);
      await Promise.all(Array.from({ length: most }, (_, i) => writeFile(diskPath(ctx, i), disk)));
      try {
        for (const n of counts) await buildGuest(ctx, n);
      } catch (error) {
        buildError = `cannot build the test guests: ${(error as Error).message.split('\n')[0]}`;
      }
    },
    async teardown(ctx) {
      await rm(dir(ctx), { recursive: true, force: true });
    },
  };
}

export const audit: Scenario = auditScenario();
