// output.test.ts: results.json, report.md and the SVG charts from a small report made by hand.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { writeOutputs } from '../../src/bench/bench.js';
import { formatValue, renderMarkdown } from '../../src/bench/markdown.js';
import { summarize } from '../../src/bench/stats.js';
import type { BenchReport, ScenarioResult, TrialRecord } from '../../src/bench/types.js';
import { ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const BIOME = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');

const scratch = useScratch();

function scenario(name: string, records: TrialRecord[], baseline: string): ScenarioResult {
  const variants = [...new Set(records.map((r) => r.variant))];
  return {
    name,
    title: `${name} title`,
    baseline,
    trials: 2,
    warmup: 1,
    durationMs: 1234,
    variants: [
      ...variants.map((v) => ({ name: v, status: 'ok' as const })),
      { name: 'peer', status: 'unavailable', reason: 'no peer given (--peer x=PATH)' },
    ],
    samples: records,
    summaries: summarize(name, baseline, records, variants),
  };
}

const wall = (variant: string, trial: number, value: number): TrialRecord => ({
  variant,
  trial,
  measurements: [{ metric: 'wall_ms', unit: 'ms', value, better: 'lower' }],
});
const pss = (variant: string, n: number, value: number): TrialRecord => ({
  variant,
  trial: 0,
  measurements: [{ metric: 'pss_kib_per_instance', unit: 'KiB', value, better: 'lower', n }],
});

const REPORT: BenchReport = {
  schema: 'nabla-bench/1',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 61_000,
  options: { quick: true, runs: null, only: null, peers: {} },
  machine: {
    cpu: 'Test CPU',
    cores: 2,
    memoryMiB: 4096,
    os: 'Debian',
    kernel: '6.1',
    node: 'v20',
    compiler: 'gcc 12',
    tools: { bwrap: 'bubblewrap 0.8.0' },
  },
  scenarios: [
    scenario(
      'boot',
      [wall('node', 0, 80), wall('nabla', 0, 96), wall('node', 1, 82), wall('nabla', 1, 98)],
      'node',
    ),
    scenario(
      'density',
      [
        pss('hosted', 10, 190),
        pss('nabla', 10, 200),
        pss('hosted', 100, 120),
        pss('nabla', 100, 150),
      ],
      'hosted',
    ),
  ],
};

describe('bench outputs', () => {
  it('formats values to about three significant digits', () => {
    expect([
      formatValue(1234.4),
      formatValue(98.76),
      formatValue(3.314),
      formatValue(Number.NaN),
    ]).toEqual(['1,234', '98.8', '3.31', '—']);
  });

  it('Markdown: the machine, one table per metric with ratios, N rows, charts, skipped variants', () => {
    // Columns are padded to their widest cell: compare with runs of spaces collapsed.
    const md = renderMarkdown(REPORT).replace(/ {2,}/g, ' ');
    expect(md).toContain('# nabla benchmarks');
    expect(md).toContain('| CPU | Test CPU (2 cores available) |');
    expect(md).toContain('| bwrap | bubblewrap 0.8.0 |');
    expect(md).toContain('| variant | median | p95 | × node | samples |');
    expect(md).toContain('| **node** | 81.0 | 81.9 | 1.00× | 2 |');
    expect(md).toContain('| nabla | 97.0 | 97.9 | 1.20× | 2 |');
    expect(md).toContain('| N | variant | median | p95 | × hosted | samples |');
    expect(md).toContain('| 100 | nabla | 150 | 150 | 1.25× | 1 |');
    expect(md).toContain('![boot: wall_ms](boot-wall_ms.svg)');
    expect(md).toContain('- not run: peer — no peer given (--peer x=PATH)');
  });

  it("Markdown: a column of ratios to the peer where it ran, and the scenario's notes", () => {
    const records = [wall('node', 0, 80), wall('nabla', 0, 96), wall('spt', 0, 64)];
    const result: ScenarioResult = {
      ...scenario('boot', records, 'node'),
      peer: 'spt',
      summaries: summarize('boot', 'node', records, ['node', 'nabla', 'spt'], 'spt'),
      notes: ['N = 10,000 not run: too many'],
    };
    const md = renderMarkdown({ ...REPORT, scenarios: [result] }).replace(/ {2,}/g, ' ');
    expect(md).toContain('| variant | median | p95 | × node | × spt | samples |');
    expect(md).toContain('| nabla | 96.0 | 96.0 | 1.20× | 1.50× | 1 |');
    expect(md).toContain('| spt | 64.0 | 64.0 | 0.80× | 1.00× | 1 |');
    expect(md).toContain('\n- N = 10,000 not run: too many\n');
    // The peer named but not run: no column.
    const without = { ...result, summaries: summarize('boot', 'node', records.slice(0, 2)) };
    expect(renderMarkdown({ ...REPORT, scenarios: [without] })).not.toContain('× spt');
  });

  it('Markdown is already as the formatter (biome) writes it, so the committed report stays lint-clean', () => {
    const md = renderMarkdown(REPORT);
    const formatted = spawnSync(
      process.execPath,
      [BIOME, 'format', '--stdin-file-path=report.md'],
      { input: md, encoding: 'utf8', cwd: ROOT, timeout: 30_000 },
    );
    expect(formatted.status, formatted.stderr).toBe(0);
    expect(formatted.stdout).toBe(md);
  });

  it('writes results.json, report.md and one well-formed SVG per scenario and metric', async () => {
    const dir = join(scratch.dir, 'out');
    const written = await writeOutputs(REPORT, dir);
    expect(written.map((p) => p.slice(dir.length + 1))).toEqual([
      'results.json',
      'report.md',
      'boot-wall_ms.svg',
      'density-pss_kib_per_instance.svg',
    ]);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'))).toEqual(REPORT);
    for (const file of written.filter((p) => p.endsWith('.svg'))) {
      const svg = readFileSync(file, 'utf8');
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toMatch(/^<svg\b[^>]*><title>/);
    }
    const bars = readFileSync(join(dir, 'boot-wall_ms.svg'), 'utf8');
    expect(bars).toContain('97 ms (1.20×)');
  });
});

describe('report.md: the side-by-side tables', () => {
  it('puts nabla and every peer that ran in columns, each median with its ratio to nabla', () => {
    const records = [
      pss('nabla-run idle', 10, 40),
      pss('runsc idle', 10, 16_000),
      pss('crun idle', 10, 800),
      pss('nabla-run idle', 100, 40),
      pss('runsc idle', 100, 15_000),
      pss('crun idle', 100, 780),
    ];
    const result: ScenarioResult = {
      ...scenario('density', records, 'nabla-run idle'),
      roles: {
        nabla: 'nabla-run idle',
        runsc: 'runsc idle',
        crun: 'crun idle',
        'solo5-spt': 'solo5-spt idle', // did not run: no column
      },
    };
    const md = renderMarkdown({
      ...REPORT,
      machine: { ...REPORT.machine, tools: { runsc: 'runsc version 0.0~20221219.0' } },
      scenarios: [result],
    }).replace(/ {2,}/g, ' ');
    expect(md).toContain('## Side by side: nabla and each peer, for the same work');
    expect(md).toContain('runsc version 0.0~20221219.0, **ptrace platform**');
    expect(md).toContain(
      [
        '#### density: pss_kib_per_instance (KiB, lower is better)',
        '',
        '| N | nabla | gVisor runsc (ptrace) | crun + Docker profile |',
        '| --: | ----: | --------------------: | --------------------: |',
        '| 10 | 40.0 | 16,000 (400.00×) | 800 (20.00×) |',
        '| 100 | 40.0 | 15,000 (375.00×) | 780 (19.50×) |',
      ]
        .join('\n')
        .replace(/ {2,}/g, ' '),
    );
    // A scenario without roles has no side-by-side part.
    const plain = renderMarkdown({
      ...REPORT,
      scenarios: [scenario('boot', [wall('a', 0, 1)], 'a')],
    });
    expect(plain).not.toContain('Side by side');
  });
});
