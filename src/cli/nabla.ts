// nabla.ts: the `nabla` command family: finds the command, parses its options, runs it, reports errors.
import * as audit from './commands/audit.js';
import * as bench from './commands/bench.js';
import * as build from './commands/build.js';
import * as inspect from './commands/inspect.js';
import * as run from './commands/run.js';
import * as version from './commands/version.js';
import { commandHelp, table, wrap } from './help.js';
import { type CommandSpec, type ParsedArgs, parseArgs, printable, usageError } from './options.js';
import { reportError } from './report.js';
import { didYouMean } from './suggest.js';

/** A command parsed from its option table by parseArgs, then handed to its handler. */
interface TableCommand {
  spec: CommandSpec;
  /** Resolves to the exit status, or to nothing for 0. */
  handler(args: ParsedArgs): Promise<unknown>;
}

/** A command that reads nabla-run's syntax (`--block:NAME=PATH`) with its own parser. */
interface RawCommand {
  command: string;
  summary: string;
  runRaw(argv: readonly string[]): Promise<number>;
}

type Command = TableCommand | RawCommand;

const COMMANDS: readonly Command[] = [run, build, inspect, audit, bench, version];

const nameOf = (c: Command) => ('runRaw' in c ? c.command : c.spec.name);
const summaryOf = (c: Command) => ('runRaw' in c ? c.summary : c.spec.summary);

const TOP_OPTIONS = ['--help', '--version'];

export function topHelp(): string {
  return [
    'usage: nabla COMMAND [OPTIONS] ...',
    'Run, build, inspect, audit and benchmark Solo5 spt unikernels.',
    '',
    'Commands:',
    ...table(COMMANDS.map((c) => [nameOf(c), summaryOf(c)])),
    '',
    'Options:',
    ...table([
      ['--help', "show this help; `nabla COMMAND --help` shows a command's"],
      ['--version', 'show the nabla version and the Solo5 ABI version'],
    ]),
    '',
    'Examples:',
    ...table([
      ['nabla run hello.nabla Hello', 'boot a unikernel with a command line'],
      ['nabla build examples/hello', 'build a unikernel from C and manifest.json'],
      ['nabla inspect hello.nabla', 'show what a unikernel declares'],
      ['nabla audit --out report hello.nabla', 'prove and report its syscall surface'],
      ['nabla bench --quick', 'compare boot, I/O and density with the alternatives here'],
    ]),
    '',
    ...wrap('A usage error ends with status 1 and one line, before the command does anything.', 0),
    '',
  ].join('\n');
}

/** Picks the command from the first word; errors here are `nabla`'s own. */
function findCommand(argv: readonly string[]): Command | 'help' | 'version' {
  const first = argv[0];
  if (first === undefined)
    throw usageError('Missing COMMAND (one of run, build, inspect, audit, bench, version)');
  if (first === '--help') return 'help';
  if (first === '--version') return 'version';
  if (first.startsWith('-')) {
    const name = first.split('=', 1)[0] as string;
    throw usageError(`Unknown option: ${printable(name)}${didYouMean(name, TOP_OPTIONS)}`);
  }
  const command = COMMANDS.find((c) => nameOf(c) === first);
  if (command === undefined) {
    throw usageError(
      `Unknown command: ${printable(first)}${didYouMean(first, COMMANDS.map(nameOf))}`,
    );
  }
  return command;
}

export async function main(argv: readonly string[]): Promise<number> {
  let command: ReturnType<typeof findCommand>;
  try {
    command = findCommand(argv);
  } catch (error) {
    return reportError('nabla', error);
  }
  if (command === 'help') {
    process.stdout.write(topHelp());
    return 0;
  }
  if (command === 'version') {
    await version.handler();
    return 0;
  }

  const prog = `nabla ${nameOf(command)}`;
  const rest = argv.slice(1);
  try {
    if ('runRaw' in command) return await command.runRaw(rest);
    const args = parseArgs(command.spec, rest);
    if (args.help) {
      process.stdout.write(commandHelp(command.spec));
      return 0;
    }
    const status = await command.handler(args);
    return typeof status === 'number' ? status : 0;
  } catch (error) {
    return reportError(prog, error);
  }
}
