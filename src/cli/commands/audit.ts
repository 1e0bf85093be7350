// audit.ts: `nabla audit` — a report of the syscall surface a unikernel will have, with nabla-run's device options.
import type { Argv } from 'yargs';
import type { RunOptions } from '../../api.js';
import type { AuditOptions } from '../../audit/audit.js';
import type { LaunchRequest } from '../../launch/prepare.js';

export const command = 'audit';
export const describe =
  'Report the syscall surface of a unikernel: `nabla audit [--out DIR] [--no-observe] [nabla-run options] KERNEL [ARGS]`';

const PROG = 'nabla audit';
/** The audit's own options; everything else before KERNEL is nabla-run's (spt-abi.md §7). */
const OWN_OPTIONS = new Set([
  '--out',
  '--format',
  '--observe',
  '--no-observe',
  '--observe-timeout',
  '--hosted',
  '--footprint',
  '--no-footprint',
  '--help',
]);
const TAKES_VALUE = new Set(['--out', '--format', '--observe-timeout', '--hosted']);

export function builder(yargs: Argv) {
  return yargs
    .usage(`${PROG} [ AUDIT OPTIONS ] [ NABLA-RUN OPTIONS ] [ -- ] KERNEL [ ARGS ]`)
    .option('out', {
      type: 'string',
      describe: 'write report.json, report.md and report.html into DIR (default: print to stdout)',
    })
    .option('format', {
      choices: ['md', 'json', 'html'] as const,
      default: 'md' as const,
      describe: 'what to print on stdout without --out',
    })
    .option('observe', {
      type: 'boolean',
      default: true,
      describe:
        'run the guest and its hosted build under the syscall recorder (--no-observe: skip)',
    })
    .option('observe-timeout', {
      type: 'number',
      default: 10_000,
      describe: 'stop an observed run still going after MS milliseconds',
    })
    .option('hosted', {
      type: 'string',
      describe: 'the same app built with --target hosted (default: build/hosted/<KERNEL name>)',
    })
    .option('footprint', {
      type: 'boolean',
      default: true,
      describe: 'measure unique kernel functions with ftrace where the host allows it',
    })
    .epilogue(
      "NABLA-RUN OPTIONS are nabla-run's, and the same options attach the same devices: " +
        '--mem=MB --block:NAME=PATH --block-sector-size:NAME=N --net:NAME=IFACE|@FD ' +
        '--net-mac:NAME=MAC --x-exec-heap. ARGS become the guest command line. ' +
        'Status 1 when the compiled filter and the policy table disagree (the report is still written).',
    )
    .example(`${PROG} build/examples/hello.nabla`, 'Markdown report on the terminal')
    .example(
      `${PROG} --out report --block:storage=disk.img build/examples/blk.nabla`,
      'report.{json,md,html} in ./report',
    )
    .strict()
    .help()
    .version(false);
}

export interface AuditArgs {
  out?: string | undefined;
  format: 'md' | 'json' | 'html';
  observe: boolean;
  observeTimeout: number;
  hosted?: string | undefined;
  footprint: boolean;
}

/** Splits the command line into the audit's options and nabla-run's syntax (options, KERNEL, ARGS). */
export function splitArgs(argv: readonly string[]): { own: string[]; spt: string[] } {
  const own: string[] = [];
  const spt: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--' || !arg.startsWith('-')) break;
    const name = arg.split('=', 1)[0] as string;
    if (!OWN_OPTIONS.has(name)) {
      spt.push(arg);
      continue;
    }
    own.push(arg);
    if (TAKES_VALUE.has(name) && !arg.includes('=') && i + 1 < argv.length)
      own.push(argv[++i] as string);
  }
  return { own, spt: [...spt, ...argv.slice(i)] };
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

/** `nabla audit ...`: nabla-run's syntax around the audit's own options, so yargs parses only those. */
export async function runRaw(argv: readonly string[]): Promise<number> {
  const [
    { default: yargs },
    { NablaError },
    { parseSptArgs },
    { reportError, writeStderr },
    { version },
  ] = await Promise.all([
    import('yargs'),
    import('../../errors.js'),
    import('../spt-args.js'),
    import('../report.js'),
    import('../usage.js'),
  ]);
  const { own, spt } = splitArgs(argv);
  const parser = builder(yargs(own).scriptName(PROG)).exitProcess(false);
  let failure: string | undefined;
  parser.fail((message, error) => {
    failure = error?.message ?? message;
  });
  try {
    const parsed = await parser.parseAsync();
    if (failure !== undefined) {
      process.stderr.write(`${PROG}: ${failure}\nRun \`${PROG} --help\` for usage.\n`);
      return 1;
    }
    if (parsed.help) return 0; // yargs has printed the help
    const sptCommand = parseSptArgs(spt, PROG);
    if (sptCommand.kind === 'help') {
      process.stdout.write(`${await parser.getHelp()}\n`);
      return 0;
    }
    if (sptCommand.kind === 'version') {
      process.stdout.write(version(PROG));
      return 0;
    }
    const memGiven = spt.some((a) => a.startsWith('--mem='));
    return await handler({
      ...(parsed as unknown as AuditArgs),
      request: sptCommand.request,
      memGiven,
    });
  } catch (error) {
    // nabla-run's usage would be the wrong one here: point at the audit's own help instead.
    if (error instanceof NablaError && error.showUsage) {
      writeStderr(error.lines.map((line) => `${PROG}: ${line}\n`).join(''));
      writeStderr(`Run \`${PROG} --help\` for usage.\n`);
      return error.exitCode;
    }
    return reportError(PROG, error);
  }
}
