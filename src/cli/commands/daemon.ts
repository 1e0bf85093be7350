// daemon.ts: `nabla daemon` — runs the resident control plane in the foreground (docs/daemon.md).
import type { Argv } from 'yargs';
import type { OptionTable } from '../options.js';

export const command = 'daemon';
export const describe =
  'Run the nabla daemon in the foreground: it supervises guests and answers the API on a unix socket';

export const options = {
  socket: {
    type: 'string',
    requiresArg: true,
    value: 'PATH',
    describe:
      'the socket to listen on (default: /run/nabla/nabla.sock as root, else $XDG_RUNTIME_DIR/nabla/nabla.sock)',
  },
  'state-dir': {
    type: 'string',
    requiresArg: true,
    value: 'DIR',
    describe:
      'where the state database lives (default: /var/lib/nabla as root, else $XDG_STATE_HOME/nabla or ~/.local/state/nabla)',
  },
  group: {
    type: 'string',
    requiresArg: true,
    value: 'NAME',
    describe: 'members of this group may use the daemon too (socket mode 0660, this group)',
  },
  'tap-pool': {
    type: 'string',
    requiresArg: true,
    value: 'CIDR',
    describe: 'the IPv4 pool summoned guests get a tap and a /30 of (default: 10.213.0.0/16)',
  },
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(
      `usage: $0 daemon [--socket PATH] [--state-dir DIR] [--group NAME] [--tap-pool CIDR]\n\n${describe}.`,
    )
    .options(options)
    .example('$0 daemon', 'as root: /run/nabla/nabla.sock, state in /var/lib/nabla')
    .example('$0 daemon --socket /tmp/n.sock --state-dir /tmp/n', 'a second daemon beside it')
    .epilogue(
      'Logs go to stderr. SIGTERM or SIGINT stops every guest, closes the database and removes ' +
        'the socket (status 0); the guests that were running start again with the next daemon.',
    );
}

interface DaemonArgs {
  socket?: string | undefined;
  'state-dir'?: string | undefined;
  group?: string | undefined;
  'tap-pool'?: string | undefined;
}

/** How long a stop may take (every guest stopped, the database closed) before the daemon exits anyway. */
const SHUTDOWN_MS = 30_000;

export async function handler(args: DaemonArgs): Promise<void> {
  const [{ startDaemon }, config, { resolve }] = await Promise.all([
    import('../../daemon/daemon.js'),
    import('../../daemon/config.js'),
    import('node:path'),
  ]);
  const log = (message: string) => process.stderr.write(`nabla daemon: ${message}\n`);
  const socket = resolve(args.socket ?? config.defaultSocket());
  const stateDir = resolve(args['state-dir'] ?? config.defaultStateDir());
  const daemon = await startDaemon({
    socket,
    stateDir,
    group: args.group,
    tapPool: args['tap-pool'],
    timings: config.timingsFromEnv(),
    log,
  });
  log(`listening on ${socket} (state in ${stateDir}, pid ${process.pid})`);
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: the user (or systemd) will not wait. Guests die with the daemon.
        log(`${signal} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      log(`${signal}: stopping every guest`);
      // A stop that hangs must not leave a daemon nobody can end with one signal.
      const deadline = setTimeout(() => {
        log(`stopping took over ${SHUTDOWN_MS / 1000} s: exiting now`);
        process.exit(1);
      }, SHUTDOWN_MS);
      deadline.unref();
      daemon.close().then(
        () => {
          clearTimeout(deadline);
          log('stopped');
          done();
        },
        (error: unknown) => {
          log(`stopping failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
