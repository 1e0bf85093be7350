// bench.ts: `nabla bench` — runs the benchmark scenarios interleaved and writes JSON, Markdown and SVG charts.
import { constants } from 'node:os';
import type { Argv } from 'yargs';
import { NablaError } from '../../errors.js';

export const command = 'bench';
export const describe =
  'Benchmark nabla against the alternatives on this machine (boot, audit, hypercalls, block, network, density)';

const DEFAULT_OUT = 'build/bench-results';

/** "a,b" and repeated --only a --only b alike, without empty names. */
export function parseOnly(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const names = values.flatMap((v) => String(v).split(',')).map((v) => v.trim());
  return names.filter((v) => v !== '');
}

/** NAME=PATH pairs into a record; a malformed or repeated NAME is the user's error. */
export function parsePeers(values: readonly string[] | undefined): Record<string, string> {
  const peers: Record<string, string> = {};
  for (const value of values ?? []) {
    const match = /^([A-Za-z0-9._-]+)=(.+)$/.exec(String(value));
    if (!match) {
      throw new NablaError(
        `Expected NAME=PATH for --peer but received ${JSON.stringify(value)} (e.g. --peer solo5-spt=/usr/local/bin/solo5-spt)`,
      );
    }
    const [, name, path] = match as unknown as [string, string, string];
    if (Object.hasOwn(peers, name)) throw new NablaError(`--peer ${name} given twice`);
    peers[name] = path;
  }
  return peers;
}

export function builder(yargs: Argv) {
  return yargs
    .option('quick', {
      type: 'boolean',
      default: false,
      describe: 'fewer trials and smaller N: the whole run in under 3 minutes (CI smoke test)',
    })
    .option('out', {
      type: 'string',
      default: DEFAULT_OUT,
      describe: 'directory for results.json, report.md and the SVG charts',
    })
    .option('only', {
      type: 'string',
      array: true,
      describe:
        'run only these scenarios (comma-separated): boot, audit, hypercalls, block, network, density',
    })
    .option('peer', {
      type: 'string',
      array: true,
      describe: 'a peer to compare with, as NAME=PATH (e.g. solo5-spt=/usr/local/bin/solo5-spt)',
    })
    .option('runs', {
      type: 'number',
      describe: "measured trials per variant, instead of each scenario's own",
    })
    .example('$0 bench --quick', 'every scenario, briefly; results in build/bench-results/')
    .example('$0 bench --only boot,density --out results', 'two scenarios, full length')
    .example('$0 bench --only boot --peer solo5-spt=$(which solo5-spt)', 'with upstream tender')
    .epilogue(
      'Each variant of a scenario runs in fresh processes, interleaved with the others. The ' +
        "report gives medians, 95th percentiles and ratios to each scenario's baseline. A " +
        'progress bar shows on a terminal; elsewhere, plain lines on stderr. Status 1 when a ' +
        'variant failed (the report is still written), 130 on Ctrl-C, 143 on SIGTERM.',
    );
}

export interface BenchArgs {
  quick: boolean;
  out: string;
  only?: string[] | undefined;
  peer?: string[] | undefined;
  runs?: number | undefined;
}

export async function handler(args: BenchArgs): Promise<void> {
  const runs = args.runs;
  // Checked here, not with yargs' check(): the command family's fail() handler reports and
  // returns, and yargs would then run the handler anyway.
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 1))
    throw new NablaError(`Expected a positive integer for --runs but received ${runs}`);
  const peers = parsePeers(args.peer);
  const { runBench, BenchAborted } = await import('../../bench/bench.js');
  let outcome: Awaited<ReturnType<typeof runBench>>;
  try {
    outcome = await runBench({
      quick: args.quick,
      out: args.out,
      only: parseOnly(args.only),
      peers,
      runs: args.runs,
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
