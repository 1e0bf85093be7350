// net-attach.test.ts: attaching net devices: an open descriptor (@FD), --net-mac, and each refusal's status and line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canUseNetns, type Netns, pingStats, useNetns } from '../helpers/netns.js';
import { example, NABLA_RUN } from '../helpers/paths.js';

// Linux x86_64 open(2) flag, octal as /proc/PID/fdinfo shows it.
const O_NONBLOCK = 0o4000;
/** The descriptor the guest sees its first device on (src/plan/layout.ts). */
const FIRST_DEVICE_FD = 5;

// Opens the tap the way another program handing nabla-run a descriptor would: blocking,
// inheritable. Then execs the rest of the command line with @FD replaced by @<the fd>.
const OPENER = `
import fcntl, os, struct, sys
TUNSETIFF, IFF_TAP, IFF_NO_PI = 0x400454ca, 0x0002, 0x1000
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', sys.argv[1].encode(), IFF_TAP | IFF_NO_PI))
os.set_inheritable(fd, True)
argv = [a.replace('@FD', '@%d' % fd) for a in sys.argv[2:]]
os.execv(argv[0], argv)
`;

function fdinfo(pid: number, fd: number): { flags: number; text: string } {
  const text = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
  return { flags: Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(text)?.[1] ?? 'x', 8), text };
}

describe.skipIf(!canUseNetns)('net attach conformance', () => {
  const netns = useNetns();

  it('net spt: --net:NAME=@FD adopts an open tap descriptor and makes it non-blocking', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.spawn('python3', [
      '-c',
      OPENER,
      'tap0',
      process.execPath,
      NABLA_RUN,
      '--net:service=@FD',
      '--net-mac:service=02:00:00:00:00:02',
      example('ping'),
      '--limit=3',
    ]);
    await guest.waitFor('ping: ready');
    // @FD has no interface name to ask for its MTU: the Ethernet default is assumed.
    expect(guest.stdout()).toContain(
      'ping: service: mac 02:00:00:00:00:02, mtu 1500, address 10.0.0.2\n',
    );
    // python, node and the tender exec'd one another: the pid is the guest's.
    const info = fdinfo(guest.pid, FIRST_DEVICE_FD);
    expect(info.text).toMatch(/^iff:\s+tap0$/m);
    expect(info.flags & O_NONBLOCK).toBe(O_NONBLOCK);

    const ping = await ns.run('ping', ['-c', '2', '-i', '0.2', '-W', '5', '10.0.0.2']);
    expect(pingStats(ping.stdout), ping.stdout + ping.stderr).toMatchObject({ received: 2 });
    // Asked while the guest runs: a tap losing its carrier flushes its neighbours.
    expect(ns.execSync('ip', ['neigh', 'show', '10.0.0.2'])).toMatch(/lladdr 02:00:00:00:00:02/);
    await ns.run('ping', ['-c', '1', '-W', '5', '10.0.0.2']);
    const exit = await guest.exited;
    expect(exit.status, exit.stdout + exit.stderr).toBe(0);
  });

  it('net spt: without --net-mac the MAC is random, unicast and locally administered', async () => {
    const macs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ns = netns();
      ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
      const guest = ns.nablaRun(['--net:service=tap0', example('ping')]);
      await guest.waitFor('ping: ready');
      const mac = /mac ([0-9a-f:]{17})/.exec(guest.stdout())?.[1] ?? '';
      expect(Number.parseInt(mac.slice(0, 2), 16) & 0x03).toBe(0x02);
      macs.push(mac);
    }
    expect(macs[0]).not.toBe(macs[1]);
  });

  type Case = [title: string, args: (ns: Netns) => Promise<string[]> | string[], lines: string[]];
  const CASES: Case[] = [
    [
      'no such tap',
      () => ['--net:service=nosuchtap', example('ping')],
      ['Could not attach interface: nosuchtap: No such device'],
    ],
    [
      'an interface that is not a tap',
      () => ['--net:service=lo', example('ping')],
      ['Could not attach interface: lo: Invalid argument'],
    ],
    [
      'a tap another guest holds',
      async (ns) => {
        await ns.nablaRun(['--net:service=tap0', example('ping')]).waitFor('ping: ready');
        return ['--net:service=tap0', example('ping')];
      },
      ['Could not attach interface: tap0: Device or resource busy'],
    ],
    [
      'a descriptor that is not open',
      () => ['--net:service=@987', example('ping')],
      ['Could not attach interface: @987: Bad file descriptor'],
    ],
    [
      'a malformed MAC',
      () => ['--net:service=tap0', '--net-mac:service=zz', example('ping')],
      ["Malformed argument to --net-mac:service: 'zz'"],
    ],
    [
      'a net device not in the manifest',
      () => ['--net:uplink=tap0', example('ping')],
      ["Resource not declared in manifest: 'uplink'"],
    ],
    [
      'a declared net device not attached',
      () => [example('ping')],
      [
        "Device 'service' of type NET_BASIC declared but not attached.",
        'All declared devices must be attached. See --help for syntax.',
      ],
    ],
  ];

  it.each(CASES)('net spt: %s', async (_title, args, lines) => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const r = await ns.nablaRun(await args(ns), 20_000).exited;
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toBe(''); // refused before anything started
    expect(r.stderr).toBe(lines.map((l) => `nabla-run: ${l}\n`).join(''));
  });
});
