// daemon.ts: starts and stops one daemon: its state, its supervisor, its API server on the unix socket.
import { readFileSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { NablaError } from '../errors.js';
import { groupByName } from '../native/accounts.js';
import { PACKAGE_JSON } from '../package/paths.js';
import type { DaemonConfig } from './config.js';
import type { InstanceHooks, StatsCollector } from './hooks.js';
import { listenOnSocket } from './listen.js';
import type { Access } from './peer.js';
import { createApiServer } from './server.js';
import { Store } from './store.js';
import { Supervisor } from './supervisor.js';

export interface DaemonOptions extends DaemonConfig {
  /** Plug-ins: cgroup limits, summoning; called at each step of every instance's life. */
  hooks?: InstanceHooks[];
  collectors?: StatsCollector[];
  log?: (message: string) => void;
}

export interface Daemon {
  readonly supervisor: Supervisor;
  readonly server: Server;
  /** Ends every guest, closes the API and the database, removes the socket. */
  close(): Promise<void>;
}

function version(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
}

function groupAccess(name: string | undefined): Access['group'] {
  if (name === undefined) return null;
  const entry = /^[0-9]+$/.test(name) ? { name, gid: Number(name) } : groupByName(name);
  if (entry === null)
    throw new NablaError(`Unknown group '${name}' for --group: not found in the group database`, {
      code: 'USER_UNKNOWN',
    });
  return { name: entry.name, gid: entry.gid };
}

/**
 * Opens the state (refused if another daemon holds it), listens on the socket (refused if
 * another daemon listens there), then brings back every recorded instance; requests that arrive
 * meanwhile wait for that.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? (() => {});
  const group = groupAccess(options.group);
  const store = new Store(options.stateDir);
  const supervisor = new Supervisor({
    store,
    timings: options.timings,
    hooks: options.hooks,
    collectors: options.collectors,
    log,
  });
  let ready!: () => void;
  const server = createApiServer({
    supervisor,
    access: { uid: process.getuid?.() ?? 0, group },
    version: version(),
    ready: new Promise<void>((resolve) => {
      ready = resolve;
    }),
    log,
  });
  try {
    await listenOnSocket(server, options.socket, group?.gid ?? null);
  } catch (error) {
    await supervisor.close();
    store.close();
    throw error;
  }
  await supervisor.reconcile();
  ready();

  let closing: Promise<void> | undefined;
  const close = async () => {
    server.close();
    server.closeAllConnections();
    await supervisor.close();
    try {
      unlinkSync(options.socket);
    } catch {
      // gone already
    }
    store.close();
  };
  return {
    supervisor,
    server,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
