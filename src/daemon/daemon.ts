// daemon.ts: starts and stops one daemon: its state, its supervisor, its API server on the unix socket.
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { asNablaError, NablaError } from '../errors.js';
import { groupByName } from '../native/accounts.js';
import { PACKAGE_JSON } from '../package/paths.js';
import type { DaemonConfig } from './config.js';
import { guestFigures } from './guest-figures.js';
import type { InstanceHooks, StatsCollector } from './hooks.js';
import { LimitsHook } from './limits-hook.js';
import { listenOnSocket } from './listen.js';
import type { Access } from './peer.js';
import { createApiServer } from './server.js';
import { Store } from './store.js';
import { TapPool } from './summon/index.js';
import { SummonHook } from './summon-hook.js';
import { Supervisor } from './supervisor.js';

/** The tap pool summoned instances get a /30 of (docs/summon.md). */
export const DEFAULT_TAP_POOL = '10.213.0.0/16';

export interface DaemonOptions extends DaemonConfig {
  /** Plug-ins: cgroup limits, summoning; called at each step of every instance's life. */
  hooks?: InstanceHooks[];
  collectors?: StatsCollector[];
  log?: (message: string) => void;
  /** The IPv4 pool summoned instances' taps are cut from (default DEFAULT_TAP_POOL). */
  tapPool?: string;
}

export interface Daemon {
  readonly supervisor: Supervisor;
  readonly server: Server;
  /** What is stable per state directory: its cgroups' parent is `nabla/ID`, its taps `nblXXXX<N>`. */
  readonly id: string;
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

/** 12 hex digits of the state directory's path: stable across the daemon's restarts. */
export function daemonId(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
}

/**
 * `nbl` and four letters from the id (a-p for each hex digit): letters, so no other pool's
 * `nbl<digits>` sweep takes this daemon's taps for its own, and no two daemons share one.
 */
function tapPrefix(id: string): string {
  const letters = [...id.slice(0, 4)].map((h) => String.fromCharCode(97 + Number.parseInt(h, 16)));
  return `nbl${letters.join('')}`;
}

/**
 * Opens the state (refused if another daemon holds it), listens on the socket (refused if
 * another daemon listens there), then brings back every recorded instance; requests that arrive
 * meanwhile wait for that.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? (() => {});
  const group = groupAccess(options.group);
  const id = daemonId(options.stateDir);
  // Per state directory, so two daemons side by side never sweep each other's groups or taps.
  const pool = new TapPool({ pool: options.tapPool ?? DEFAULT_TAP_POOL, prefix: tapPrefix(id) });
  const store = new Store(options.stateDir);
  const supervisor = new Supervisor({
    store,
    timings: options.timings,
    hooks: options.hooks,
    collectors: options.collectors,
    log,
  });
  const limits = new LimitsHook({ parent: `nabla/${id}`, log });
  const summon = new SummonHook({ supervisor, pool, log });
  supervisor.use(limits);
  supervisor.use(summon);
  supervisor.addStats(
    guestFigures({ groupsOf: (n) => limits.groupsOf(n), tapsOf: (n) => summon.tapsOf(n) }),
  );
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
  // What a killed daemon of this state directory left: groups (and any task in them), taps.
  const leftovers = (sweep: Promise<string[]>) =>
    sweep.catch((error: unknown) => {
      log(`cannot remove what an earlier run left: ${asNablaError(error).message}`);
      return [];
    });
  const swept = [...(await leftovers(limits.sweep())), ...(await leftovers(summon.sweep()))];
  if (swept.length > 0) log(`removed what an earlier run left: ${swept.join(', ')}`);
  await supervisor.reconcile();
  ready();

  let closing: Promise<void> | undefined;
  const close = async () => {
    server.close();
    server.closeAllConnections();
    await summon.closeFronts();
    await supervisor.close();
    await limits.close();
    await summon.removeTaps();
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
    id,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
