// tap.test.ts: TapPool in a namespace: the lowest free /30 (skipping names and networks in use), addresses, neighbour entry and alias; sweep and remove touch only the pool's own taps.
import { describe, expect, it } from 'vitest';
import { canUseNetns, type Netns, useNetns } from '../../helpers/netns.js';
import { ROOT } from '../../helpers/paths.js';

const netns = useNetns();

/** Runs `body` (top-level await, `pool` made from `options`) in Node inside the namespace. */
async function inNs(ns: Netns, options: object, body: string): Promise<unknown> {
  const script = `
import { TapPool } from ${JSON.stringify(`${ROOT}dist/daemon/summon/index.js`)};
const pool = new TapPool(${JSON.stringify(options)});
const out = {};
const failure = (p) => p.then(() => 'resolved', (e) => e.code + ': ' + e.message);
${body}
console.log(JSON.stringify(out));
`;
  const r = await ns.run(process.execPath, ['--input-type=module', '-e', script]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

interface Link {
  ifname: string;
  ifalias?: string;
  operstate: string;
  flags: string[];
  addr_info?: { local: string; prefixlen: number; family: string }[];
}

/** `ip addr` (addresses) merged with `ip link` (aliases, which `ip addr` leaves out). */
function links(ns: Netns): Link[] {
  const aliases = new Map(
    (JSON.parse(ns.execSync('ip', ['-j', 'link', 'show'])) as Link[]).map((l) => [
      l.ifname,
      l.ifalias,
    ]),
  );
  const addrs = JSON.parse(ns.execSync('ip', ['-j', 'addr', 'show'])) as Link[];
  return addrs.map((l) => ({ ...l, ifalias: aliases.get(l.ifname) }));
}

describe.runIf(canUseNetns)('TapPool', () => {
  it('makes taps on the lowest free /30s and removes and sweeps only its own', async () => {
    const ns = netns();
    const ip = (...args: string[]) => ns.execSync('ip', args);
    // (No dummy driver on every host: taps and a tun stand in for other interfaces.)
    // In the way: an interface with slot 1's name, a host address inside slot 2's /30.
    ip('tuntap', 'add', 'dev', 'nbltest1', 'mode', 'tun');
    ip('tuntap', 'add', 'dev', 'other0', 'mode', 'tap');
    ip('addr', 'add', '10.213.0.9/32', 'dev', 'other0');
    // Left by an earlier run (aliased, the pool's prefix): swept. Not the pool's: kept.
    ip('tuntap', 'add', 'dev', 'nbltest7', 'mode', 'tap');
    ip('link', 'set', 'dev', 'nbltest7', 'alias', 'nabla:old');
    ip('tuntap', 'add', 'dev', 'nbltest8', 'mode', 'tap');
    ip('tuntap', 'add', 'dev', 'keepme', 'mode', 'tap');
    ip('link', 'set', 'dev', 'keepme', 'alias', 'nabla:other');

    const out = await inNs(
      ns,
      { pool: '10.213.0.0/24', prefix: 'nbltest' },
      `
out.swept = await pool.sweep();
const a = await pool.create('one');
const b = await pool.create('two');
const c = await pool.create('three');
out.leases = [a, b, c];
out.removeOther = await failure(pool.remove('nbltest8'));
out.removeKeep = await failure(pool.remove('keepme'));
await pool.remove(b);
out.left = pool.list().map((l) => l.name);
`,
    );
    expect(out).toEqual({
      swept: ['nbltest7'],
      leases: [
        {
          index: 0,
          name: 'nbltest0',
          owner: 'one',
          network: '10.213.0.0',
          host: '10.213.0.1',
          guest: '10.213.0.2',
          prefixLength: 30,
          mac: '02:6e:62:00:00:00',
          guestArgs: ['--ipv4=10.213.0.2/30', '--ipv4-gateway=10.213.0.1'],
        },
        expect.objectContaining({ index: 3, name: 'nbltest3', host: '10.213.0.13' }),
        expect.objectContaining({ index: 4, name: 'nbltest4', guest: '10.213.0.18' }),
      ],
      removeOther: 'NET_ATTACH: tap nbltest8 was not made by this pool: not removing it',
      removeKeep: 'NET_ATTACH: tap keepme was not made by this pool: not removing it',
      left: ['nbltest0', 'nbltest4'],
    });

    const byName = new Map(links(ns).map((l) => [l.ifname, l]));
    expect([...byName.keys()].sort()).toEqual(
      ['keepme', 'lo', 'nbltest0', 'nbltest1', 'nbltest4', 'nbltest8', 'other0'].sort(),
    );
    const tap = byName.get('nbltest0');
    expect(tap?.ifalias).toBe('nabla:one');
    expect(tap?.flags).toContain('UP');
    expect(tap?.addr_info?.filter((a) => a.family === 'inet')).toEqual([
      expect.objectContaining({ local: '10.213.0.1', prefixlen: 30 }),
    ]);
    expect(byName.get('keepme')?.ifalias).toBe('nabla:other');
    // The host knows the guest's MAC before the guest runs: no ARP wait on a cold start.
    const neigh = JSON.parse(ip('-j', 'neigh', 'show', 'dev', 'nbltest4'));
    expect(neigh).toEqual([
      expect.objectContaining({
        dst: '10.213.0.18',
        lladdr: '02:6e:62:00:00:04',
        state: ['PERMANENT'],
      }),
    ]);
  });

  it('says when the pool is used up, and refuses a bad pool or prefix', async () => {
    const ns = netns();
    const out = await inNs(
      ns,
      { pool: '10.214.0.0/30', prefix: 'nbltest' },
      `
await pool.create('one');
out.full = await failure(pool.create('two'));
const { TapPool: P } = await import(${JSON.stringify(`${ROOT}dist/daemon/summon/index.js`)});
out.badPool = await failure((async () => new P({ pool: '10.0.0.0/31' }))());
out.badPrefix = await failure((async () => new P({ prefix: 'Tap_' }))());
out.badOwner = await failure(pool.create('a b\\nlink del lo'));
`,
    );
    expect(out).toEqual({
      full: 'NET_ATTACH: no free /30 in tap pool 10.214.0.0/30: every one is leased, named, or used by the host',
      badPool:
        'OPTION_INVALID: Expected an IPv4 network A.B.C.D/P with P from 8 to 30 (e.g. 10.213.0.0/16) for tap pool but received "10.0.0.0/31"',
      badOwner:
        'OPTION_INVALID: Expected 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit for tap owner but received "a b\\nlink del lo"',
      badPrefix:
        'OPTION_INVALID: Expected 1-8 lower-case letters, digits or dashes, starting with a letter, for tap prefix but received "Tap_"',
    });
  });
});
