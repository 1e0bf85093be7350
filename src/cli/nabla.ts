// nabla.ts: the `nabla` command family (yargs): finds the command, parses its options, runs it, reports errors.

import { endQuietlyOnClosedStdout } from './closed-stdout.js';
import * as audit from './commands/audit.js';
import * as bench from './commands/bench.js';
import * as build from './commands/build.js';
import * as daemon from './commands/daemon.js';
import * as events from './commands/events.js';
import * as fs from './commands/fs.js';
import * as image from './commands/image.js';
import * as inspect from './commands/inspect.js';
import * as logs from './commands/logs.js';
import * as ps from './commands/ps.js';
import * as rm from './commands/rm.js';
import * as run from './commands/run.js';
import * as stats from './commands/stats.js';
import * as stop from './commands/stop.js';
import * as up from './commands/up.js';
import * as version from './commands/version.js';
import { type OptionTable, type UsageContext, usageError } from './options.js';
import { nablaParser } from './parse.js';
import { type ErrorFormat, reportError } from './report.js';

/** The commands yargs parses; `run`, `audit` and `up` read nabla-run's syntax with their own parsers. */
const PARSED = [
  build,
  fs,
  image,
  inspect,
  bench,
  daemon,
  ps,
  logs,
  stop,
  rm,
  stats,
  events,
  version,
];
const RAW = [run, audit, up];
const NAMES = [
  run,
  build,
  fs,
  image,
  inspect,
  audit,
  bench,
  daemon,
  up,
  ps,
  logs,
  stop,
  rm,
  stats,
  events,
  version,
].map((c) => c.command.split(' ', 1)[0] as string);

/** nabla's own options, before a command. */
const TOP_OPTIONS = {
  version: {
    type: 'boolean',
    global: false,
    describe: 'show the nabla version and the Solo5 ABI version',
  },
} as const satisfies OptionTable;

/**
 * The commands that print JSON when asked to: a failure of theirs is one JSON object on stderr
 * then (docs/errors.md). Each reads the words after its name.
 */
const ERROR_FORMATS = new Map<string, (argv: readonly string[]) => ErrorFormat>([
  ['audit', audit.errorFormat],
  ['inspect', inspect.errorFormat],
  ['ps', inspect.errorFormat],
  ['stats', inspect.errorFormat],
  ['events', inspect.errorFormat],
]);

function errorFormat(argv: readonly string[]): ErrorFormat {
  return ERROR_FORMATS.get(argv[0] ?? '')?.(argv.slice(1)) ?? 'text';
}

/** `build` for `nabla build ...`, when the first word names a command yargs parses. */
function commandOf(argv: readonly string[]) {
  return PARSED.find((c) => c.command.split(' ', 1)[0] === argv[0]);
}

export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedStdout();
  const raw = RAW.find((c) => c.command === argv[0]);
  if (raw) {
    try {
      return await raw.runRaw(argv.slice(1));
    } catch (error) {
      return reportError(`nabla ${raw.command}`, error, errorFormat(argv));
    }
  }

  const command = commandOf(argv);
  // `nabla fs build`: the command and its subcommand name the program in messages.
  const words = (command === fs || command === image) && argv[1] === 'build' ? 2 : 1;
  const prog = command ? `nabla ${argv.slice(0, words).join(' ')}` : 'nabla';
  const context: UsageContext = command
    ? {
        argv: argv.slice(words),
        options: command.options,
        operands: 'operands' in command ? command.operands : undefined,
      }
    : { argv, options: TOP_OPTIONS, topLevel: true, commands: NAMES };
  try {
    const { default: yargs } = await import('yargs');
    const parser = nablaParser(yargs([...argv]), context)
      .scriptName('nabla')
      .usage(
        'usage: $0 COMMAND [OPTIONS] ...\n\nRun, build, inspect, audit and benchmark Solo5 spt unikernels, make file-system images for them, and supervise many of them with a daemon.',
      )
      // run and audit are listed here; main() hands their words to their own parsers.
      .command(run.command, run.describe, {}, () => {})
      .command(build)
      .command(fs)
      .command(image)
      .command(inspect)
      .command(audit.command, audit.describe, {}, () => {})
      .command(bench)
      .command(daemon)
      .command(up.command, up.describe, {}, () => {})
      .command(ps)
      .command(logs)
      .command(stop)
      .command(rm)
      .command(stats)
      .command(events)
      .command(version)
      .options(TOP_OPTIONS)
      .check((args) => {
        if (args._.length === 0 && !args.version && !args.help)
          throw usageError(`Missing COMMAND (one of ${NAMES.join(', ')})`);
        return true;
      }, false)
      .example('$0 run hello.nabla Hello', 'boot a unikernel with a command line')
      .example('$0 build examples/hello', 'build a unikernel from C and manifest.json')
      .example('$0 fs build site -o site.img', 'a directory into a block device image')
      .example('$0 image build hello.nabla', 'a unikernel as an OCI image for containerd')
      .example('$0 inspect hello.nabla', 'show what a unikernel declares')
      .example('$0 audit --out report hello.nabla', 'prove and report its syscall surface')
      .example('$0 bench --quick', 'compare boot, I/O and density with the alternatives here')
      .example('$0 up web app.nabla', 'start a guest under the daemon (nabla daemon)')
      .epilogue('A usage error ends with status 1 and one line, before the command does anything.');
    const args = await parser.parseAsync();
    if (!command && args.version && !args.help) await version.handler();
    return 0;
  } catch (error) {
    return reportError(prog, error, errorFormat(argv));
  }
}
