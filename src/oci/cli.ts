// cli.ts: nabla-oci's command line (runc's, as containerd's runc v2 shim calls it): global options, commands, and every failure as one log line.
import type { Argv } from 'yargs';
import { NablaError } from '../errors.js';
import { BLOCK_ANNOTATION } from './bundle.js';
import { type LogFormat, type RuntimeLog, runtimeLog } from './log.js';
import { REFUSED, refusal } from './refused.js';

export const PROG = 'nabla-oci';
/** Where containers' records live without --root (runc's is /run/runc). */
export const DEFAULT_ROOT = '/run/nabla-oci';
/** The runtime spec versions this runtime reads (features, --version). */
export const OCI_VERSION_MIN = '1.0.0';
export const OCI_VERSION_MAX = '1.1.0';

/** --log and --log-format, read before yargs so that even a usage error reaches the log. */
function earlyLog(argv: readonly string[]): { log: RuntimeLog; command: string | undefined } {
  let command: string | undefined;
  let path: string | undefined;
  let format: LogFormat = 'text';
  let debug = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    const [name, inline] = word.includes('=') ? word.split(/=(.*)/s, 2) : [word, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--log') path = value();
    else if (name === '--log-format') format = value() === 'json' ? 'json' : 'text';
    else if (name === '--debug') debug = true;
    else if (name === '--root') value();
    else if (!word.startsWith('-')) {
      command = word; // the rest is the command's own
      break;
    }
  }
  return { log: runtimeLog(path, format, debug), command };
}

const globalOptions = {
  root: {
    type: 'string',
    default: DEFAULT_ROOT,
    describe: "the directory of the containers' state",
    requiresArg: true,
  },
  log: {
    type: 'string',
    describe: 'append messages to this file (default: stderr)',
    requiresArg: true,
  },
  'log-format': {
    choices: ['json', 'text'],
    default: 'text',
    describe: "the log's format",
    requiresArg: true,
  },
  debug: { type: 'boolean', describe: 'log debug messages too' },
  'systemd-cgroup': { type: 'boolean', describe: 'refused: nabla-oci manages cgroupfs groups' },
  rootless: { type: 'string', describe: 'refused unless false or auto: nabla-oci runs as root' },
} as const;

interface Global {
  root: string;
  'systemd-cgroup'?: boolean;
  rootless?: string;
}

function checkGlobal(args: Global): void {
  if (args['systemd-cgroup'])
    throw new NablaError(
      "--systemd-cgroup is not supported: nabla-oci makes cgroupfs (cgroup v1) groups; set SystemdCgroup = false in the runtime's options",
      { code: 'OCI' },
    );
  if (args.rootless !== undefined && args.rootless !== 'false' && args.rootless !== 'auto')
    throw new NablaError('--rootless is not supported: nabla-oci runs as root', { code: 'OCI' });
}

const id = { id: { type: 'string', demandOption: true, describe: 'the container id' } } as const;

function commands(yargs: Argv, log: RuntimeLog, out: (text: string) => void): Argv {
  const lazy = () => import('./lifecycle.js');
  return yargs
    .command(
      'create <id>',
      'create a container from a bundle; it runs once started',
      (y) =>
        y.positional('id', id.id).options({
          bundle: {
            alias: 'b',
            type: 'string',
            default: '.',
            describe: 'the bundle directory (config.json, rootfs)',
            requiresArg: true,
          },
          'pid-file': {
            type: 'string',
            describe: "write the container's pid here",
            requiresArg: true,
          },
          'console-socket': {
            type: 'string',
            describe: 'send the pty master of a terminal to this unix socket',
            requiresArg: true,
          },
          'no-pivot': {
            type: 'boolean',
            describe: 'accepted (there is no root file system to pivot into)',
          },
          'no-new-keyring': { type: 'boolean', describe: 'accepted (a unikernel has no keyring)' },
          'preserve-fds': {
            type: 'number',
            default: 0,
            describe: 'accepted and ignored: the guest gets only its planned descriptors',
            requiresArg: true,
          },
        }),
      async (a) => {
        const { create } = await import('./create.js');
        await create(
          {
            root: a.root as string,
            id: a.id,
            bundle: a.bundle,
            pidFile: a['pid-file'],
            consoleSocket: a['console-socket'],
            preserveFds: a['preserve-fds'],
          },
          log,
        );
      },
    )
    .command(
      'start <id>',
      'start a created container (its guest boots)',
      (y) => y.positional('id', id.id),
      async (a) => (await lazy()).start(a.root as string, a.id),
    )
    .command(
      'state <id>',
      'print the state of a container as JSON',
      (y) => y.positional('id', id.id),
      async (a) => out((await lazy()).state(a.root as string, a.id)),
    )
    .command(
      'kill <id> [signal]',
      'send a signal (default SIGTERM) to the container',
      (y) =>
        y
          .positional('id', id.id)
          .positional('signal', {
            type: 'string',
            default: 'SIGTERM',
            describe: 'a number or a name',
          })
          .option('all', {
            alias: 'a',
            type: 'boolean',
            describe: 'to its whole process group; no error once it has ended',
          }),
      async (a) => (await lazy()).kill(a.root as string, a.id, a.signal, a.all === true),
    )
    .command(
      'delete <id>',
      'remove a stopped container (its groups, tap and state)',
      (y) =>
        y.positional('id', id.id).option('force', {
          alias: 'f',
          type: 'boolean',
          describe: 'kill it first if running; no error if unknown',
        }),
      async (a) => (await lazy()).remove(a.root as string, a.id, a.force === true, log),
    )
    .command(
      'ps <id>',
      "list the container's processes (its one guest)",
      (y) =>
        y.positional('id', id.id).option('format', {
          alias: 'f',
          choices: ['table', 'json'],
          describe: 'a table, or JSON',
          default: 'table',
          requiresArg: true,
        }),
      async (a) => out((await lazy()).ps(a.root as string, a.id, a.format)),
    )
    .command(
      'list',
      'list the containers under --root',
      (y) =>
        y
          .option('format', {
            alias: 'f',
            choices: ['table', 'json'],
            describe: 'a table, or JSON',
            default: 'table',
            requiresArg: true,
          })
          .option('quiet', { alias: 'q', type: 'boolean', describe: 'only the ids' }),
      async (a) =>
        out((await lazy()).list(a.root as string, a.quiet === true ? 'quiet' : a.format)),
    )
    .command(
      'pause <id>',
      'freeze the guest (cgroup freezer)',
      (y) => y.positional('id', id.id),
      async (a) => (await lazy()).pause(a.root as string, a.id, true),
    )
    .command(
      'resume <id>',
      'thaw a paused guest',
      (y) => y.positional('id', id.id),
      async (a) => (await lazy()).pause(a.root as string, a.id, false),
    )
    .command('features', 'print what this runtime supports, as JSON', {}, () =>
      out(`${JSON.stringify(features(), null, 2)}\n`),
    );
}

function features() {
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION_MAX,
    hooks: [],
    mountOptions: [],
    linux: {
      namespaces: ['network'],
      capabilities: [],
      cgroup: { v1: true, v2: false, systemd: false },
    },
    annotations: { [`${BLOCK_ANNOTATION}NAME`]: 'PATH in the container: a device of the guest' },
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const { log, command } = earlyLog(argv);
  if (command !== undefined && (REFUSED as readonly string[]).includes(command)) {
    log.write('error', refusal(command).message);
    return 1;
  }
  const { default: yargs } = await import('yargs');
  const out = (text: string) => process.stdout.write(text);
  let failure: unknown;
  const parser = commands(
    yargs([...argv])
      .scriptName(PROG)
      .usage(
        'usage: $0 [GLOBAL OPTIONS] COMMAND [OPTIONS] ID\n\nA runc-compatible OCI runtime that runs Solo5 spt unikernels (docs/oci.md).',
      )
      .parserConfiguration({ 'boolean-negation': false })
      .options(globalOptions)
      .middleware((a) => checkGlobal(a as unknown as Global))
      .exitProcess(false)
      .strict()
      .demandCommand(1, 'Missing COMMAND')
      .epilogue(`Refused, with the reason in the log: ${REFUSED.join(', ')}.`)
      .version(`${PROG} version 0.1.0\nspec: ${OCI_VERSION_MAX}`)
      .help()
      .fail((message, error) => {
        failure = error ?? new NablaError(message, { code: 'USAGE' });
      }),
    log,
    out,
  );
  try {
    await parser.parseAsync();
  } catch (error) {
    failure ??= error;
  }
  if (failure === undefined) return 0;
  const message =
    failure instanceof NablaError
      ? failure.lines.join('; ')
      : `internal error: ${failure instanceof Error ? failure.message : String(failure)}`;
  log.write('error', message);
  return 1;
}
