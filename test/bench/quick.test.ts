// quick.test.ts: `nabla bench --quick` end to end, once: JSON shape, every scenario with samples, Markdown, SVGs (no timings asserted).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { scenarioNames } from '../../src/bench/scenarios/index.js';
import type { BenchReport } from '../../src/bench/types.js';
import { NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const OUT = join(scratch.dir, 'results');
/** --quick takes about 30 s on a 2-core machine; other test files run meanwhile. */
const RUN_TIMEOUT_MS = 10 * 60_000;

let run: { status: number | null; stdout: string; stderr: string };
let report: BenchReport;

beforeAll(async () => {
  run = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NABLA, 'bench', '--quick', '--out', OUT], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
  if (!existsSync(join(OUT, 'results.json')))
    throw new Error(`no results.json; status ${run.status}, stderr:\n${run.stderr.slice(-2000)}`);
  report = JSON.parse(readFileSync(join(OUT, 'results.json'), 'utf8')) as BenchReport;
}, RUN_TIMEOUT_MS);

describe('nabla bench --quick', () => {
  it('ends with status 0, plain progress lines on stderr (not a terminal), and says what it wrote', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('bench: boot: starting');
    expect(run.stdout).toContain(
      `nabla bench: wrote ${join(OUT, 'report.md')}, ${join(OUT, 'results.json')} and `,
    );
  });

  it('results.json: the header and every scenario, each with samples and summaries', () => {
    expect(report.schema).toBe('nabla-bench/1');
    expect(report.options).toMatchObject({ quick: true, runs: null, only: null, peers: {} });
    for (const key of ['cpu', 'os', 'kernel', 'node', 'compiler'] as const)
      expect(report.machine[key]).toMatch(/\S/);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.scenarios.map((s) => s.name)).toEqual(scenarioNames());
    for (const s of report.scenarios) {
      expect(s.samples.length, s.name).toBeGreaterThan(0);
      expect(s.summaries.length, s.name).toBeGreaterThan(0);
      expect(
        s.variants.filter((v) => v.status === 'failed'),
        s.name,
      ).toEqual([]);
      expect(s.variants.find((v) => v.name === s.baseline)?.status, s.name).toBe('ok');
      for (const m of s.samples.flatMap((r) => r.measurements)) {
        expect(Number.isFinite(m.value), `${s.name} ${m.metric}`).toBe(true);
        expect(['lower', 'higher']).toContain(m.better);
      }
      for (const sum of s.summaries) {
        expect(sum.samples.length).toBeGreaterThan(0);
        expect(sum.p95).toBeGreaterThanOrEqual(sum.median);
        // Against itself 1, except for a median of 0 (no packet lost): no ratio then.
        if (sum.variant === s.baseline) expect(sum.ratio).toBe(sum.median === 0 ? null : 1);
      }
    }
  });

  it('measures what the issues ask: boot against node -e 0, density at several N, starts, the daemon', () => {
    const boot = report.scenarios.find((s) => s.name === 'boot');
    const ran = boot?.variants.filter((v) => v.status === 'ok').map((v) => v.name);
    expect(ran).toEqual(
      expect.arrayContaining([
        'node -e 0',
        'nabla-run hello',
        'nabla API run() hello',
        'hosted hello',
        'static C hello',
      ]),
    );
    const density = report.scenarios.find((s) => s.name === 'density');
    for (const variant of ['nabla-run idle', 'nabla API run() idle']) {
      const pss = density?.summaries.filter(
        (s) => s.metric === 'pss_kib_per_instance' && s.variant === variant,
      );
      expect(pss?.map((s) => s.n)).toEqual([10, 50, 100]);
    }
    // The OCI peers (CI installs runsc and crun): in boot, density and hypercalls, same runs.
    for (const [scenario, names] of [
      ['boot', ['runsc hello', 'crun hello']],
      ['density', ['runsc idle', 'crun idle']],
      ['hypercalls', ['runsc', 'crun']],
    ] as const) {
      const s = report.scenarios.find((x) => x.name === scenario);
      for (const name of names)
        expect(s?.variants.find((v) => v.name === name)?.status, `${scenario} ${name}`).toBe('ok');
    }
    const median = (scenario: string, variant: string, metric: string, n?: number) =>
      report.scenarios
        .find((x) => x.name === scenario)
        ?.summaries.find((s) => s.variant === variant && s.metric === metric && s.n === n)
        ?.median ?? Number.NaN;
    // Sane figures: a container costs more to start than the bare program, and holds more.
    for (const peer of ['runsc hello', 'crun hello'])
      expect(median('boot', peer, 'wall_ms')).toBeGreaterThan(
        median('boot', 'hosted hello', 'wall_ms'),
      );
    for (const peer of ['runsc idle', 'crun idle'])
      expect(median('density', peer, 'pss_kib_per_instance', 10)).toBeGreaterThan(
        median('density', 'hosted idle', 'pss_kib_per_instance', 10),
      );
    expect(median('hypercalls', 'crun', 'block_read_512_seq.ns_per_call')).toBeGreaterThan(0);
    // Start: each way of starting, from one resident process; quick mode's one N.
    const start = report.scenarios.find((s) => s.name === 'start');
    const started = start?.variants.filter((v) => v.status === 'ok').map((v) => v.name);
    expect(started).toEqual(expect.arrayContaining(['hosted', 'nabla run()']));
    for (const variant of ['hosted', 'nabla run()']) {
      const of = (metric: string) =>
        start?.summaries.filter((s) => s.metric === metric && s.variant === variant);
      expect(of('sequential_ms')?.[0]?.samples).toHaveLength(20);
      expect(of('burst_guests_per_s')?.[0]?.samples).toHaveLength(2);
      expect(of('start_all_ms')?.map((s) => s.n)).toEqual([100]);
    }
    // No peer given: listed as not run, and no column for it.
    expect(start?.variants.find((v) => v.name === 'solo5-spt')).toEqual({
      name: 'solo5-spt',
      status: 'unavailable',
      reason: 'no peer given (--peer solo5-spt=PATH)',
    });
    expect(start?.summaries.some((s) => 'peerRatio' in s)).toBe(false);
    // Daemon: every API call's p50 and p99 at quick mode's N, and creates against run().
    const daemon = report.scenarios.find((s) => s.name === 'daemon');
    const metricsOf = (variant: string) =>
      daemon?.summaries.filter((s) => s.variant === variant).map((s) => s.metric);
    for (const op of ['create', 'inspect', 'stats', 'list', 'stop', 'remove'])
      expect(metricsOf('nabla daemon')).toEqual(
        expect.arrayContaining([`${op}_p50.latency_ms`, `${op}_p99.latency_ms`]),
      );
    expect(metricsOf('run(), no daemon')).toEqual(['create_serial_ms', 'create_all_ms']);
    const creates = daemon?.summaries.find(
      (s) => s.variant === 'nabla daemon' && s.metric === 'create_all_ms',
    );
    expect(creates).toMatchObject({ n: 50 });
    expect(creates?.ratio).toBeGreaterThan(0);
  });

  it('report.md: the machine header and a table per scenario', () => {
    // Table columns are padded to their widest cell: compare with runs of spaces collapsed.
    const md = readFileSync(join(OUT, 'report.md'), 'utf8').replace(/ {2,}/g, ' ');
    expect(md).toMatch(/^# nabla benchmarks\n/);
    expect(md).toContain('| CPU |');
    for (const s of report.scenarios) {
      expect(md).toContain(`## ${s.title}`);
      expect(md).toContain(`| × ${s.baseline} | samples |`);
    }
    // The side-by-side tables: nabla and every peer that ran, ratios against nabla.
    expect(md).toContain('## Side by side: nabla and each peer, for the same work');
    expect(md).toContain('**ptrace platform**');
    expect(md).toMatch(
      /#### boot: wall_ms .*\n\n\| nabla \| nabla API run\(\) \| gVisor runsc \(ptrace\) \| crun \+ Docker profile \|/,
    );
    expect(md).toMatch(/#### density: pss_kib_per_instance .*\n\n\| N \| nabla \|/);
  });

  it('an SVG chart per scenario and metric, each well-formed XML', () => {
    const svgs = readdirSync(OUT).filter((f) => f.endsWith('.svg'));
    for (const s of report.scenarios)
      expect(
        svgs.some((f) => f.startsWith(`${s.name}-`)),
        s.name,
      ).toBe(true);
    for (const file of svgs) {
      const svg = readFileSync(join(OUT, file), 'utf8');
      expect(XMLValidator.validate(svg), file).toBe(true);
      expect(svg, file).toMatch(/^<svg\b/);
    }
  });
});
