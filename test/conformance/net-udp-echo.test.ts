// net-udp-echo.test.ts: examples/udp-echo answers a real UDP client in the namespace, byte for byte.
import { describe, expect, it } from 'vitest';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example } from '../helpers/paths.js';

// A plain socket client: sends each payload, waits for the echo, reports what came back
// (and from where) as one JSON line. The kernel drops datagrams with a bad UDP checksum,
// so an echo that arrives at all had a correct one.
const CLIENT = `
import json, socket, sys
host, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
sizes = [int(n) for n in sys.argv[4].split(',')]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.0.0.1', 0))
s.settimeout(timeout)
results = []
for i, size in enumerate(sizes):
    payload = bytes((i * 13 + j) & 0xff for j in range(size))
    s.sendto(payload, (host, port))
    try:
        data, source = s.recvfrom(65536)
        results.append({'size': size, 'same': data == payload, 'from': list(source)})
    except socket.timeout:
        results.append({'size': size, 'timeout': True})
print(json.dumps(results))
`;

interface Echo {
  size: number;
  same?: boolean;
  from?: [string, number];
  timeout?: boolean;
}

describe.skipIf(!canUseNetns)('udp-echo conformance', () => {
  const netns = useNetns();

  it('udp-echo spt', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    // Empty, small, odd-sized (checksum's last byte), and the largest that fits 1500.
    const sizes = [0, 1, 11, 513, 1472];
    const guest = ns.nablaRun([
      '--net:service=tap0',
      example('udp-echo'),
      `--limit=${sizes.length}`,
    ]);
    await guest.waitFor('udp-echo: echoing UDP port 7');
    const client = await ns.run('python3', ['-c', CLIENT, '10.0.0.2', '7', '5', sizes.join(',')]);
    expect(client.status, client.stderr).toBe(0);
    const echoes = JSON.parse(client.stdout) as Echo[];
    expect(echoes).toEqual(sizes.map((size) => ({ size, same: true, from: ['10.0.0.2', 7] })));
    const exit = await guest.exited;
    expect(exit.status, exit.stdout).toBe(0);
    expect(exit.stdout).toContain(`udp-echo: ${sizes.length} datagrams echoed, 0 writes failed\n`);
  });

  it('udp-echo spt: another port and address given on the command line; other ports get nothing', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.nablaRun([
      '--net:service=tap0',
      example('udp-echo'),
      '10.0.0.9',
      '--port=5555',
      '--limit=1',
    ]);
    await guest.waitFor('udp-echo: echoing UDP port 5555');
    expect(guest.stdout()).toContain('address 10.0.0.9\n');
    const elsewhere = await ns.run('python3', ['-c', CLIENT, '10.0.0.9', '7', '0.5', '32']);
    expect(JSON.parse(elsewhere.stdout)).toEqual([{ size: 32, timeout: true }]);
    const echoed = await ns.run('python3', ['-c', CLIENT, '10.0.0.9', '5555', '5', '32']);
    expect(JSON.parse(echoed.stdout)).toEqual([{ size: 32, same: true, from: ['10.0.0.9', 5555] }]);
    expect((await guest.exited).status).toBe(0);
  });

  it('udp-echo spt: a malformed command line is refused by the guest', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.nablaRun(['--net:service=tap0', example('udp-echo'), '--port=70000']);
    const exit = await guest.exited;
    expect(exit.status).toBe(1); // the guest's own SOLO5_EXIT_FAILURE
    expect(exit.stdout).toContain("udp-echo: cannot use the command line '--port=70000'\n");
  });
});
