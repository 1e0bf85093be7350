// tap.ts: TapPool makes a tap per instance with its own /30 from a pool (iproute2), and removes only taps it made.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expected } from '../../checks.js';
import { NablaError } from '../../errors.js';
import { ipToNumber, overlaps, type Pool, parsePool, type Slot, slotOf } from './subnet.js';

const run = promisify(execFile);

/*
 * One tap and one /30 per instance, no bridge: each guest sees only the host on its link, so
 * guests cannot reach (or ARP-spoof) one another, and the host's routing, with forwarding off
 * as it is by default, keeps them apart at layer 3 too. A shared bridge would save addresses
 * but put every guest on one segment. A /31 would save two addresses per guest but lwIP's
 * netif has no /31 (RFC 3021) handling, so its broadcast address would be the peer's.
 *
 * Every tap made here carries an alias, `nabla:OWNER`, so sweep() can find what a previous
 * run left behind (taps made by `ip tuntap add` persist) and delete those and nothing else.
 * The guest's MAC is fixed per slot and the host gets a permanent neighbour entry for it, so
 * the host never waits on ARP for a guest that is still booting: its first SYN goes straight
 * into the tap's queue.
 */

export interface TapPoolOptions {
  /** The IPv4 pool, cut into /30s (default 10.213.0.0/16: 16,384 taps). */
  pool?: string;
  /** Interface names are PREFIX + slot (default 'nbl'; at most 8 characters). */
  prefix?: string;
}

export interface TapLease extends Slot {
  /** The interface's name (give it to the guest: net: [{ name, iface, mac }]). */
  name: string;
  owner: string;
  /** The guest's arguments for the SDK's stack: --ipv4=GUEST/30 --ipv4-gateway=HOST. */
  guestArgs: string[];
}

const ALIAS = 'nabla:';
const DEFAULT_POOL = '10.213.0.0/16';
const DEFAULT_PREFIX = 'nbl';

interface Link {
  ifname: string;
  ifalias?: string;
}
interface AddrInfo {
  local: string;
  prefixlen: number;
}
interface Route {
  dst: string;
}

async function ip(args: readonly string[]): Promise<string> {
  try {
    return (await run('ip', args, { encoding: 'utf8', timeout: 20_000 })).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const why = (e.stderr ?? '').trim().split('\n')[0] || e.message;
    throw new NablaError(`ip ${args.join(' ')}: ${why}`, { code: 'NET_ATTACH', cause: error });
  }
}

const json = async <T>(args: readonly string[]): Promise<T[]> =>
  JSON.parse((await ip(['-j', ...args])) || '[]') as T[];

export class TapPool {
  readonly pool: Pool;
  readonly prefix: string;
  private readonly leases = new Map<string, TapLease>();
  /** create() and remove() one at a time, so two never pick the same slot. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: TapPoolOptions = {}) {
    this.pool = parsePool(options.pool ?? DEFAULT_POOL, 'tap pool');
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    if (!/^[a-z][a-z0-9-]{0,7}$/.test(this.prefix)) {
      const what = '1-8 lower-case letters, digits or dashes, starting with a letter,';
      throw expected(what, 'tap prefix', this.prefix);
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Makes a tap for `owner` (an instance name: its alias) on the lowest free /30: free means
   * not leased here, no interface of that name, and no address or route of the host's within
   * it. Brought up, with the host's address and a permanent neighbour entry for the guest.
   */
  create(owner: string): Promise<TapLease> {
    // The owner becomes the alias `nabla:OWNER`, which sweep() reads back: a plain word.
    if (typeof owner !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(owner)) {
      const what =
        '1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit';
      return Promise.reject(expected(what, 'tap owner', owner));
    }
    return this.serial(async () => {
      const [links, addrs, routes] = await Promise.all([
        json<Link>(['link', 'show']),
        json<{ addr_info: AddrInfo[] }>(['-4', 'addr', 'show']),
        json<Route>(['-4', 'route', 'show', 'table', 'all']),
      ]);
      const names = new Set(links.map((l) => l.ifname));
      const taken: Array<[number, number]> = [
        ...addrs.flatMap((a) =>
          a.addr_info.map((i): [number, number] => [ipToNumber(i.local), i.prefixlen]),
        ),
        ...routes
          .filter((r) => r.dst !== 'default' && /^[0-9.]+(\/[0-9]+)?$/.test(r.dst))
          .map((r): [number, number] => {
            const [net = '', len = '32'] = r.dst.split('/');
            return [ipToNumber(net), Number(len)];
          }),
      ];
      for (let index = 0; index < this.pool.slots; index++) {
        const name = `${this.prefix}${index}`;
        if (this.leases.has(name) || names.has(name)) continue;
        const slot = slotOf(this.pool, index);
        const network = ipToNumber(slot.network);
        if (taken.some(([n, len]) => overlaps(network, n, len))) continue;
        return this.make(name, owner, slot);
      }
      throw new NablaError(
        `no free /30 in tap pool ${slot0(this.pool)}: every one is leased, named, or used by the host`,
        { code: 'NET_ATTACH' },
      );
    });
  }

  private async make(name: string, owner: string, slot: Slot): Promise<TapLease> {
    await ip(['tuntap', 'add', 'dev', name, 'mode', 'tap']);
    try {
      await ip(['link', 'set', 'dev', name, 'alias', `${ALIAS}${owner}`]);
      await ip(['addr', 'add', `${slot.host}/${slot.prefixLength}`, 'dev', name]);
      await ip([
        'neigh',
        'replace',
        slot.guest,
        'lladdr',
        slot.mac,
        'dev',
        name,
        'nud',
        'permanent',
      ]);
      await ip(['link', 'set', 'dev', name, 'up']);
    } catch (error) {
      await ip(['link', 'del', 'dev', name]).catch(() => {});
      throw error;
    }
    const lease: TapLease = {
      ...slot,
      name,
      owner,
      guestArgs: [`--ipv4=${slot.guest}/${slot.prefixLength}`, `--ipv4-gateway=${slot.host}`],
    };
    this.leases.set(name, lease);
    return lease;
  }

  /** Deletes a tap this pool made (a name it did not make is refused, not touched). */
  remove(lease: TapLease | string): Promise<void> {
    const name = typeof lease === 'string' ? lease : lease.name;
    return this.serial(async () => {
      if (!this.leases.has(name)) {
        throw new NablaError(`tap ${name} was not made by this pool: not removing it`, {
          code: 'NET_ATTACH',
        });
      }
      await ip(['link', 'del', 'dev', name]);
      this.leases.delete(name);
    });
  }

  /** Taps leased now. */
  list(): TapLease[] {
    return [...this.leases.values()];
  }

  /**
   * Deletes the taps a previous run of this pool left (name PREFIX + digits, alias `nabla:...`),
   * none that it leases now; returns their names. For the daemon's start, before it reconciles.
   */
  sweep(): Promise<string[]> {
    return this.serial(async () => {
      const pattern = new RegExp(`^${this.prefix}[0-9]+$`);
      const left = (await json<Link>(['link', 'show'])).filter(
        (l) => pattern.test(l.ifname) && l.ifalias?.startsWith(ALIAS) && !this.leases.has(l.ifname),
      );
      for (const l of left) await ip(['link', 'del', 'dev', l.ifname]);
      return left.map((l) => l.ifname);
    });
  }
}

const slot0 = (pool: Pool) => `${slotOf(pool, 0).network}/${pool.prefixLength}`;
