// bench.ts: `nabla bench` — runs the benchmark scenarios interleaved and writes JSON, Markdown and SVG charts.
import { constants } from 'node:os';
import { NablaError } from '../../errors.js';
import { type CommandSpec, type ParsedArgs, printable, quoted, usageError } from '../options.js';
import { didYouMean } from '../suggest.js';

const DEFAULT_OUT = 'build/bench-results';

export const spec: CommandSpec = {
  name: 'bench',
  summary:
    'Benchmark nabla against the alternatives on this machine (boot, hypercalls, block, network, density).',
  usage: ['[--quick] [--out DIR] [--only NAMES] [--peer NAME=PATH] [--runs N]'],
  operands: { name: '', min: 0, max: 0 },
  options: [
    {
      name: 'quick',
      kind: 'flag',
      describe:
        'fewer trials and smaller N: every scenario in about 30 s on 2 cores (CI smoke test)',
    },
    {
      name: 'out',
      kind: 'string',
      value: 'DIR',
      describe: `directory for results.json, report.md and the SVG charts (default ${DEFAULT_OUT})`,
    },
    {
      name: 'only',
      kind: 'list',
      value: 'NAMES',
      describe:
        'run only these scenarios, comma-separated or repeated: boot, hypercalls, block, network, density',
    },
    {
      name: 'peer',
      kind: 'list',
      value: 'NAME=PATH',
      describe: 'a peer to compare with; solo5-spt=PATH adds upstream tender to boot; repeatable',
    },
    {
      name: 'runs',
      kind: 'integer',
      value: 'N',
      describe: "measured trials per variant, instead of each scenario's own",
    },
  ],
  examples: [
    ['bench --quick', 'every scenario, briefly; results in build/bench-results/'],
    ['bench --only boot,density --out results', 'two scenarios, full length'],
    ['bench --only boot --peer solo5-spt=$(which solo5-spt)', 'with the upstream tender'],
  ],
  notes: [
    'Each variant of a scenario runs in fresh processes, interleaved with the others. The ' +
      "report gives medians, 95th percentiles and ratios to each scenario's baseline. A " +
      'progress bar shows on a terminal; elsewhere, plain lines on stderr. Status 1 when a ' +
      'variant failed (the report is still written), 130 on Ctrl-C, 143 on SIGTERM.',
  ],
};

/** "a,b" and repeated --only a --only b alike, without empty names. */
export function parseOnly(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const names = values.flatMap((v) => String(v).split(',')).map((v) => v.trim());
  const given = names.filter((v) => v !== '');
  if (given.length === 0) throw usageError('Missing NAMES for --only');
  return given;
}

/** Every name in `only` is a scenario's, or the run does not start. */
export function checkScenarios(
  only: readonly string[] | undefined,
  known: readonly string[],
): void {
  const unknown = (only ?? []).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw usageError(
      `Unknown scenario for --only: ${printable(unknown)}${didYouMean(unknown, known)}; known: ${known.join(', ')}`,
    );
  }
}

/** NAME=PATH pairs into a record; a malformed or repeated NAME is the user's error. */
export function parsePeers(values: readonly string[] | undefined): Record<string, string> {
  const peers: Record<string, string> = {};
  for (const value of values ?? []) {
    const match = /^([A-Za-z0-9._-]+)=(.+)$/.exec(String(value));
    if (!match) {
      throw usageError(
        `Expected NAME=PATH for --peer but received ${quoted(value)} (e.g. --peer solo5-spt=/usr/local/bin/solo5-spt)`,
      );
    }
    const [, name, path] = match as unknown as [string, string, string];
    if (Object.hasOwn(peers, name)) throw usageError(`--peer ${name} given twice`);
    peers[name] = path;
  }
  return peers;
}

export async function handler(args: ParsedArgs): Promise<void> {
  const only = parseOnly(args.list('only'));
  const peers = parsePeers(args.list('peer'));
  const [{ runBench, BenchAborted }, { scenarioNames }] = await Promise.all([
    import('../../bench/bench.js'),
    import('../../bench/scenarios/index.js'),
  ]);
  checkScenarios(only, scenarioNames());
  let outcome: Awaited<ReturnType<typeof runBench>>;
  try {
    outcome = await runBench({
      quick: args.flag('quick', false),
      out: args.string('out') ?? DEFAULT_OUT,
      only,
      peers,
      runs: args.integer('runs'),
    });
  } catch (error) {
    if (error instanceof BenchAborted) {
      // As a shell reports a process a signal ended: 130 for Ctrl-C, 143 for SIGTERM.
      const exitCode = 128 + (error.signal ? constants.signals[error.signal] : 2);
      throw new NablaError(`${error.message}; every process it started was killed`, { exitCode });
    }
    throw error;
  }
  const charts = outcome.written.filter((p) => p.endsWith('.svg')).length;
  const [json, markdown] = outcome.written;
  process.stdout.write(`nabla bench: wrote ${markdown}, ${json} and ${charts} SVG charts\n`);
  if (outcome.failed.length > 0) {
    const lines = outcome.failed.map((f) => `  ${f.scenario} / ${f.variant}: ${f.reason}`);
    throw new NablaError(
      [`${outcome.failed.length} variant(s) failed (the report says so too):`, ...lines].join('\n'),
    );
  }
}
