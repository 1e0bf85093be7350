// audit.ts: `nabla audit` — a report of the syscall surface a unikernel will have, with nabla-run's device options.
import type { Argv } from 'yargs';
import type { RunOptions } from '../../api.js';
import type { AuditOptions } from '../../audit/audit.js';
import type { RunOption } from '../../run-syntax.js';
import {
  type OptionTable,
  positiveInteger,
  printable,
  spellings,
  type UsageContext,
  usageError,
} from '../options.js';
import type { ErrorFormat } from '../report.js';
import { didYouMean } from '../suggest.js';
import { optionName, parseSptUsage } from './run.js';

export const command = 'audit';
export const describe =
  'Report the syscall surface of a unikernel: `nabla audit [AUDIT OPTIONS] [nabla-run OPTIONS] KERNEL [ARGS]`';

const PROG = 'nabla audit';

/** The audit's own options; nabla-run's syntax goes around them (docs/abi.md §7). */
export const options = {
  out: {
    type: 'string',
    requiresArg: true,
    value: 'DIR',
    describe: 'write report.json, report.md and report.html into DIR (default: print to stdout)',
  },
  format: {
    choices: ['md', 'json', 'html'],
    requiresArg: true,
    value: 'md|json|html',
    describe: 'what to print on stdout without --out (default md)',
  },
  'no-observe': {
    type: 'boolean',
    describe: 'do not run the guest (nor its hosted build) under the syscall recorder',
  },
  'observe-timeout': {
    type: 'string',
    requiresArg: true,
    value: 'MS',
    coerce: positiveInteger('--observe-timeout', 'a positive integer (milliseconds)'),
    describe: 'stop an observed run still going after MS milliseconds (default 10000)',
  },
  hosted: {
    type: 'string',
    requiresArg: true,
    value: 'PATH',
    describe:
      "the same app built with --target hosted, run confined as the guest (default: none; nabla's own examples: its own build)",
  },
  'no-footprint': {
    type: 'boolean',
    describe: 'do not try to count unique kernel functions with ftrace',
  },
  'no-peers': {
    type: 'boolean',
    describe: 'do not start gVisor (runsc) and crun to read back their filters',
  },
} as const satisfies OptionTable;

/** `spt`: nabla-run's options as src/run-syntax.ts describes them; the epilogue names solo5-spt's. */
export function builder(yargs: Argv, spt: typeof import('../../run-syntax.js')) {
  const named = spt
    .nablaRunOptions()
    .filter((o) => o.group === 'solo5-spt' && o.takes !== 'action')
    .map(spt.synopsis);
  return yargs
    .usage(
      `usage: ${PROG} [ AUDIT OPTIONS ] [ NABLA-RUN OPTIONS ] [ -- ] KERNEL [ ARGS ]\n\n` +
        'Report the syscall surface a unikernel will have with the devices you would run it with: ' +
        'the filter from the very bytes the tender installs, decoded and proven, what the guest ' +
        'called, comparisons, and the kernel-function footprint.',
    )
    .options(options)
    .example(`${PROG} build/examples/hello.nabla`, 'Markdown report on the terminal')
    .example(
      `${PROG} --out report --block:storage=disk.img build/examples/blk.nabla`,
      'report.{json,md,html} in ./report',
    )
    .epilogue(
      "NABLA-RUN OPTIONS are nabla-run's, and the same options attach the same devices: " +
        `${named.join(' ')}. ARGS become the guest command line. ` +
        'Status 1 when the compiled filter and the policy table disagree (the report is still written).',
    );
}

/** What yargs made of the audit's own options. */
interface OwnArgs {
  out?: string | undefined;
  format?: 'md' | 'json' | 'html' | undefined;
  'no-observe'?: boolean | undefined;
  'observe-timeout'?: number | undefined;
  hosted?: string | undefined;
  'no-footprint'?: boolean | undefined;
  'no-peers'?: boolean | undefined;
  help?: boolean | undefined;
}

export interface AuditArgs {
  out?: string | undefined;
  format: 'md' | 'json' | 'html';
  observe: boolean;
  observeTimeout: number;
  hosted?: string | undefined;
  footprint: boolean;
  peers: boolean;
}

/**
 * Splits the command line into the audit's options and nabla-run's syntax (options, KERNEL,
 * ARGS). An option before KERNEL that is neither the audit's nor nabla-run's is a usage error
 * here, with a suggestion from both sets: it is never handed on for nabla-run to guess at.
 */
function splitArgs(
  argv: readonly string[],
  runOptions: readonly RunOption[],
): { own: string[]; spt: string[] } {
  const ownNames = spellings(options);
  // nabla-run's options the audit takes, and those it refuses (RunOption.audited says why).
  const audited = runOptions.filter((o) => o.audited).map((o) => o.name);
  const notAudited = runOptions.filter((o) => !o.audited).map((o) => o.name);
  const valued = Object.entries(options as OptionTable)
    .filter(([, o]) => o.type !== 'boolean')
    .map(([name]) => `--${name}`);
  const own: string[] = [];
  const spt: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--' || !arg.startsWith('-')) break;
    const name = arg.split('=', 1)[0] as string;
    if (ownNames.includes(name)) {
      own.push(arg);
      // The value of `--out DIR` is the audit's too, even when it looks like KERNEL.
      if (valued.includes(name) && !arg.includes('=') && i + 1 < argv.length)
        own.push(argv[++i] as string);
      continue;
    }
    const sptName = optionName(arg);
    if (notAudited.includes(sptName))
      throw usageError(`${sptName} is nabla-run's own option; the audit does not take it`);
    // --solo5:... before KERNEL is a guest's option in the wrong place: nabla-run says so.
    if (audited.includes(sptName) || arg.startsWith('--solo5:')) {
      spt.push(arg);
      continue;
    }
    const candidates = [...ownNames, ...audited];
    throw usageError(`Unknown option: ${printable(sptName)}${didYouMean(sptName, candidates)}`);
  }
  return { own, spt: [...spt, ...argv.slice(i)] };
}

/**
 * `--format json` (or `--format=json`) before KERNEL asks for a JSON report, and so for a
 * failure as one JSON object on stderr, even when the rest of the command line is wrong.
 */
export function errorFormat(argv: readonly string[]): ErrorFormat {
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--' || !arg.startsWith('-')) break; // KERNEL: the guest's words follow
    if (arg === '--format') json = argv[++i] === 'json';
    else if (arg.startsWith('--format=')) json = arg === '--format=json';
    // The value of `--out DIR` and the like is not KERNEL.
    else if (['--out', '--hosted', '--observe-timeout'].includes(arg)) i++;
  }
  return json ? 'json' : 'text';
}

/** The audit's own options, with their defaults. */
function auditArgs(parsed: OwnArgs): AuditArgs {
  return {
    out: parsed.out,
    format: parsed.format ?? 'md',
    observe: !parsed['no-observe'],
    observeTimeout: parsed['observe-timeout'] ?? 10_000,
    hosted: parsed.hosted,
    footprint: !parsed['no-footprint'],
    peers: !parsed['no-peers'],
  };
}

/** Runs the audit and prints or writes the report; returns the exit status. */
export async function handler(args: AuditArgs & { options: RunOptions }): Promise<number> {
  const [{ audit, AuditError }, { formatReport, writeReport }] = await Promise.all([
    import('../../audit/audit.js'),
    import('../../audit/output.js'),
  ]);
  const emit = async (report: Parameters<typeof writeReport>[0]) => {
    if (args.out === undefined) {
      process.stdout.write(await formatReport(report, args.format));
      return;
    }
    const written = await writeReport(report, args.out);
    process.stdout.write(`${PROG}: wrote ${written.join(', ')}\n`);
  };
  try {
    // What nabla-run's parser made of the same words is the very request audit() takes.
    const options: AuditOptions = {
      ...args.options,
      observe: args.observe,
      observeTimeoutMs: args.observeTimeout,
      hosted: args.hosted,
      footprint: args.footprint,
      peers: args.peers,
    };
    await emit(await audit(options));
    return 0;
  } catch (error) {
    if (error instanceof AuditError) await emit(error.report);
    throw error;
  }
}

/** `nabla audit ...`: nabla-run's syntax around the audit's own options; yargs parses those. */
export async function runRaw(argv: readonly string[]): Promise<number> {
  // Asking for help is never an error, whatever else comes before KERNEL.
  const kernelAt = argv.findIndex((a) => a === '--' || !a.startsWith('-'));
  const beforeKernel = kernelAt < 0 ? argv : argv.slice(0, kernelAt);
  const runOptions = await import('../../run-syntax.js');
  const { own, spt } = beforeKernel.includes('--help')
    ? { own: ['--help'], spt: [] }
    : splitArgs(argv, runOptions.nablaRunOptions());
  const [{ default: yargs }, { nablaParser }] = await Promise.all([
    import('yargs'),
    import('../parse.js'),
  ]);
  const context: UsageContext = { argv: own, options };
  const parser = builder(nablaParser(yargs(own), context).scriptName(PROG), runOptions);
  const parsed = (await parser.parseAsync()) as OwnArgs;
  if (parsed.help) return 0; // yargs has printed the help
  const sptCommand = await parseSptUsage(spt, PROG);
  if (sptCommand.kind === 'help') {
    process.stdout.write(`${await parser.getHelp()}\n`);
    return 0;
  }
  if (sptCommand.kind === 'version') {
    const { version } = await import('../usage.js');
    process.stdout.write(version(PROG));
    return 0;
  }
  return await handler({ ...auditArgs(parsed), options: sptCommand.options });
}
