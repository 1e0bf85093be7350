// audit.ts: `nabla audit` — a report of the syscall surface a unikernel will have, with nabla-run's device options.
import type { RunOptions } from '../../api.js';
import type { AuditOptions } from '../../audit/audit.js';
import type { LaunchRequest } from '../../launch/prepare.js';
import { commandHelp } from '../help.js';
import {
  type CommandSpec,
  HELP_OPTION,
  optionSpellings,
  type ParsedArgs,
  parseArgs,
  printable,
  usageError,
} from '../options.js';
import { didYouMean } from '../suggest.js';
import { NABLA_RUN_OPTIONS, optionName, parseSptUsage } from './run.js';

export const command = 'audit';
export const summary =
  'Report the syscall surface of a unikernel: `nabla audit [AUDIT OPTIONS] [nabla-run OPTIONS] KERNEL [ARGS]`.';

const PROG = 'nabla audit';

/** The audit's own options; nabla-run's syntax goes around them (spt-abi.md §7). */
export const spec: CommandSpec = {
  name: 'audit',
  summary:
    'Report the syscall surface a unikernel will have with the devices you would run it with: ' +
    'the filter from the very bytes the tender installs, decoded and proven, what the guest ' +
    'called, comparisons, and the kernel-function footprint.',
  usage: ['[ AUDIT OPTIONS ] [ NABLA-RUN OPTIONS ] [ -- ] KERNEL [ ARGS ]'],
  operands: { name: 'KERNEL', min: 0, max: 0 },
  options: [
    {
      name: 'out',
      kind: 'string',
      value: 'DIR',
      describe: 'write report.json, report.md and report.html into DIR (default: print to stdout)',
    },
    {
      name: 'format',
      kind: 'string',
      value: 'md|json|html',
      choices: ['md', 'json', 'html'],
      describe: 'what to print on stdout without --out (default md)',
    },
    {
      name: 'observe',
      kind: 'flag',
      negatable: true,
      describe: 'do not run the guest (nor its hosted build) under the syscall recorder',
    },
    {
      name: 'observe-timeout',
      kind: 'integer',
      value: 'MS',
      expect: 'a positive integer (milliseconds)',
      describe: 'stop an observed run still going after MS milliseconds (default 10000)',
    },
    {
      name: 'hosted',
      kind: 'string',
      value: 'PATH',
      describe: 'the same app built with --target hosted (default: build/hosted/<KERNEL name>)',
    },
    {
      name: 'footprint',
      kind: 'flag',
      negatable: true,
      describe: 'do not try to count unique kernel functions with ftrace',
    },
  ],
  examples: [
    ['audit build/examples/hello.nabla', 'Markdown report on the terminal'],
    [
      'audit --out report --block:storage=disk.img build/examples/blk.nabla',
      'report.{json,md,html} in ./report',
    ],
  ],
  notes: [
    "NABLA-RUN OPTIONS are nabla-run's, and the same options attach the same devices: " +
      '--mem=MB --block:NAME=PATH --block-sector-size:NAME=N --net:NAME=IFACE|@FD ' +
      '--net-mac:NAME=MAC --x-exec-heap. ARGS become the guest command line. ' +
      'Status 1 when the compiled filter and the policy table disagree (the report is still written).',
  ],
};

export interface AuditArgs {
  out?: string | undefined;
  format: 'md' | 'json' | 'html';
  observe: boolean;
  observeTimeout: number;
  hosted?: string | undefined;
  footprint: boolean;
}

/** nabla-run's own options that change how a guest runs, not what it may call: not audited. */
const NOT_AUDITED = new Set(['--user', '--timeout', '--core', '--verbose']);

/**
 * Splits the command line into the audit's options and nabla-run's syntax (options, KERNEL,
 * ARGS). An option before KERNEL that is neither the audit's nor nabla-run's is a usage error
 * here, with a suggestion from both sets: it is never handed on for nabla-run to guess at.
 */
export function splitArgs(argv: readonly string[]): { own: string[]; spt: string[] } {
  const ownNames = optionSpellings([...spec.options, HELP_OPTION]);
  const valued = spec.options.filter((o) => o.kind !== 'flag').map((o) => `--${o.name}`);
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
    if (NOT_AUDITED.has(sptName))
      throw usageError(`${sptName} is nabla-run's own option; the audit does not take it`);
    // --solo5:... before KERNEL is a guest's option in the wrong place: nabla-run says so.
    if (NABLA_RUN_OPTIONS.includes(sptName) || arg.startsWith('--solo5:')) {
      spt.push(arg);
      continue;
    }
    const candidates = [...ownNames, ...NABLA_RUN_OPTIONS.filter((n) => !NOT_AUDITED.has(n))];
    throw usageError(`Unknown option: ${printable(sptName)}${didYouMean(sptName, candidates)}`);
  }
  return { own, spt: [...spt, ...argv.slice(i)] };
}

/** The audit's own options, with their defaults. */
export function auditArgs(parsed: ParsedArgs): AuditArgs {
  const format = parsed.string('format');
  return {
    out: parsed.string('out'),
    format: format === 'json' || format === 'html' ? format : 'md',
    observe: parsed.flag('observe', true),
    observeTimeout: parsed.integer('observe-timeout') ?? 10_000,
    hosted: parsed.string('hosted'),
    footprint: parsed.flag('footprint', true),
  };
}

/** The API's options for what nabla-run's parser made of the same words. */
export function toAuditOptions(
  request: LaunchRequest,
  memGiven: boolean,
  args: AuditArgs,
): AuditOptions {
  const options: RunOptions = {
    kernel: request.kernel,
    args: [...request.args],
    xExecHeap: request.xExecHeap,
    block: [],
    net: [],
  };
  if (memGiven) options.memMiB = Number(request.memSize >> 20n);
  for (const d of request.devices) {
    if (d.kind === 'block')
      options.block?.push({ name: d.name, path: d.path, sectorSize: d.sectorSize });
    else options.net?.push({ name: d.name, ...d.target, mac: d.mac });
  }
  return {
    ...options,
    observe: args.observe,
    observeTimeoutMs: args.observeTimeout,
    hosted: args.hosted,
    footprint: args.footprint,
  };
}

/** Runs the audit and prints or writes the report; returns the exit status. */
export async function handler(
  args: AuditArgs & { request: LaunchRequest; memGiven: boolean },
): Promise<number> {
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
    await emit(await audit(toAuditOptions(args.request, args.memGiven, args)));
    return 0;
  } catch (error) {
    if (error instanceof AuditError) await emit(error.report);
    throw error;
  }
}

/** `nabla audit ...`: nabla-run's syntax around the audit's own options, each parsed by its own parser. */
export async function runRaw(argv: readonly string[]): Promise<number> {
  // Asking for help is never an error, whatever else comes before KERNEL.
  const kernelAt = argv.findIndex((a) => a === '--' || !a.startsWith('-'));
  const beforeKernel = kernelAt < 0 ? argv : argv.slice(0, kernelAt);
  const { own, spt } = beforeKernel.includes('--help')
    ? { own: ['--help'], spt: [] }
    : splitArgs(argv);
  const parsed = parseArgs(spec, own);
  if (parsed.help) {
    process.stdout.write(commandHelp(spec));
    return 0;
  }
  const sptCommand = await parseSptUsage(spt);
  if (sptCommand.kind === 'help') {
    process.stdout.write(commandHelp(spec));
    return 0;
  }
  if (sptCommand.kind === 'version') {
    const { version } = await import('../usage.js');
    process.stdout.write(version(PROG));
    return 0;
  }
  const memGiven = spt.some((a) => a.startsWith('--mem='));
  return await handler({ ...auditArgs(parsed), request: sptCommand.request, memGiven });
}
