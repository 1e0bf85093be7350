// bench.ts: `nabla bench` — runs the benchmark scenarios interleaved and writes JSON, Markdown and SVG charts.
import type { Argv } from 'yargs';
import { NablaError } from '../../errors.js';
import { type OptionTable, positiveInteger, printable, quoted, usageError } from '../options.js';
import { didYouMean } from '../suggest.js';

const DEFAULT_OUT = 'build/bench-results';

export const command = 'bench';
export const describe =
  'Benchmark nabla against the alternatives on this machine (boot, audit, hypercalls, block, network, http, summon, density, start, daemon)';

/** "a,b" and repeated --only a --only b alike, without empty names. */
export function parseOnly(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const names = values.flatMap((v) => String(v).split(',')).map((v) => v.trim());
  const given = names.filter((v) => v !== '');
  if (given.length === 0) throw usageError('Missing NAMES for --only');
  return given;
}

/** Every name in `only` is a scenario's, or the run does not start. */
function checkScenarios(only: readonly string[] | undefined, known: readonly string[]): void {
  const unknown = (only ?? []).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw usageError(
      `Unknown scenario for --only: ${printable(unknown)}${didYouMean(unknown, known)}; known: ${known.join(', ')}`,
    );
  }
}

/** Every NAME of --peer NAME=PATH is a peer the harness knows, or the run does not start. */
function checkPeers(peers: Record<string, string> | undefined, known: readonly string[]): void {
  const unknown = Object.keys(peers ?? {}).find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw usageError(
      `Unknown peer for --peer: ${printable(unknown)}${didYouMean(unknown, known)}; known: ${known.join(', ')}`,
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

export const options = {
  quick: {
    type: 'boolean',
    describe: 'fewer trials and smaller N: every scenario in about 30 s on 2 cores (CI smoke test)',
  },
  out: {
    type: 'string',
    requiresArg: true,
    value: 'DIR',
    default: DEFAULT_OUT,
    describe: 'directory for results.json, report.md and the SVG charts',
  },
  only: {
    type: 'string',
    array: true,
    requiresArg: true,
    value: 'NAMES',
    coerce: parseOnly,
    describe:
      'run only these scenarios, comma-separated or repeated: boot, audit, hypercalls, block, network, http, summon, density, start, daemon',
  },
  peer: {
    type: 'string',
    array: true,
    requiresArg: true,
    value: 'NAME=PATH',
    coerce: parsePeers,
    describe:
      "a peer to compare with; solo5-spt=PATH runs the same guests under upstream's tender in every scenario but audit, summon and daemon",
  },
  runs: {
    type: 'string',
    requiresArg: true,
    value: 'N',
    coerce: positiveInteger('--runs'),
    describe: "measured trials per variant, instead of each scenario's own",
  },
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(
      'usage: $0 bench [--quick] [--out DIR] [--only NAMES] [--peer NAME=PATH] [--runs N]\n\n' +
        `${describe}.`,
    )
    .options(options)
    .check(async (args) => {
      // Scenario and peer names are checked before the run, like every other usage error.
      const { scenarioNames } = await import('../../bench/scenarios/index.js');
      checkScenarios(args.only as string[] | undefined, scenarioNames());
      const { PEERS } = await import('../../bench/peer.js');
      checkPeers(args.peer as Record<string, string> | undefined, PEERS);
      return true;
    })
    .example('$0 bench --quick', 'every scenario, briefly; results in build/bench-results/')
    .example('$0 bench --only boot,density --out results', 'two scenarios, full length')
    .example(
      '$0 bench --only boot,start --peer solo5-spt=$(which solo5-spt)',
      'with upstream tender',
    )
    .epilogue(
      'Each variant of a scenario runs in fresh processes, interleaved with the others. The ' +
        "report gives medians, 95th percentiles and ratios to each scenario's baseline (and to " +
        'the peer, when it ran). A ' +
        'progress bar shows on a terminal; elsewhere, plain lines on stderr. Status 1 when a ' +
        'variant failed (the report is still written), 130 on Ctrl-C, 143 on SIGTERM.',
    );
}

/** What yargs made of the command line (--only, --peer and --runs already checked). */
export interface BenchArgs {
  quick?: boolean | undefined;
  out: string;
  only?: string[] | undefined;
  peer?: Record<string, string> | undefined;
  runs?: number | undefined;
}

export async function handler(args: BenchArgs): Promise<void> {
  const { runBench, BenchAborted } = await import('../../bench/bench.js');
  let outcome: Awaited<ReturnType<typeof runBench>>;
  try {
    outcome = await runBench({
      quick: args.quick ?? false,
      out: args.out,
      only: args.only,
      peers: args.peer ?? {},
      runs: args.runs,
    });
  } catch (error) {
    if (error instanceof BenchAborted) {
      // Its code and status (130 for Ctrl-C, 143 for SIGTERM), and what became of the processes.
      throw new NablaError(`${error.message}; every process it started was killed`, {
        code: 'BENCH_INTERRUPTED',
        exitCode: error.exitCode,
      });
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
      { code: 'BENCH_FAILED' },
    );
  }
}
