// net-tcp-echo.test.ts: examples/tcp-echo (the SDK's lwIP stack) serves real TCP clients in a namespace: 1 MiB echoed, 200 connections at once, a reset, bad --ipv4 values.
import { describe, expect, it } from 'vitest';
import { canUseNetns, type Netns, type NsProcess, useNetns } from '../helpers/netns.js';
import { example, hosted } from '../helpers/paths.js';

/*
 * The client, Python's socket module, prints one JSON line. Steps, each on fresh connections:
 * "big": 1 MiB of random bytes sent while the echo is read back (a reader thread), then FIN;
 * the server's FIN must follow the last byte. "rst": sends 100 kB and resets the connection
 * (SO_LINGER 0) before reading anything. "many": N connections opened together, each with
 * its own payload, all in flight at once through one selector, each half-closed after
 * sending and read to the server's FIN.
 */
const CLIENT = `
import json, os, selectors, socket, struct, sys, threading, time
host, steps, many = sys.argv[1], sys.argv[2].split(','), int(sys.argv[3])
out = {}
def big():
    s = socket.create_connection((host, 7), timeout=20)
    data = os.urandom(1 << 20)
    got = bytearray()
    def reader():
        while True:
            b = s.recv(65536)
            if not b: break
            got.extend(b)
    t = threading.Thread(target=reader); t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(); s.close()
    return {'sent': len(data), 'received': len(got), 'same': bytes(got) == data}
def rst():
    s = socket.create_connection((host, 7), timeout=20)
    s.sendall(b'r' * 100000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    s.close()
    return True
def concurrent():
    sel = selectors.DefaultSelector()
    conns = []
    for i in range(many):
        s = socket.create_connection((host, 7), timeout=20)
        s.setblocking(False)
        c = {'s': s, 'want': bytes([i & 0xff]) * (1000 + 37 * i), 'sent': 0, 'got': bytearray()}
        conns.append(c)
    for c in conns:
        sel.register(c['s'], selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    closed, deadline = 0, time.time() + 60
    while closed < many and time.time() < deadline:
        for key, ev in sel.select(1):
            c = key.data
            if ev & selectors.EVENT_WRITE and c['sent'] < len(c['want']):
                c['sent'] += c['s'].send(c['want'][c['sent']:])
                if c['sent'] == len(c['want']):
                    c['s'].shutdown(socket.SHUT_WR)
                    sel.modify(c['s'], selectors.EVENT_READ, c)
            if ev & selectors.EVENT_READ:
                b = c['s'].recv(65536)
                if b: c['got'].extend(b)
                else:
                    sel.unregister(c['s']); c['s'].close(); closed += 1
    return {'closed': closed, 'same': sum(bytes(c['got']) == c['want'] for c in conns)}
for step in steps:
    out[step] = {'big': big, 'rst': rst, 'many': concurrent}[step]()
print(json.dumps(out))
`;

const MANY = 200;

async function client(ns: Netns, host: string, steps: string[]) {
  const r = await ns.run('python3', ['-c', CLIENT, host, steps.join(','), String(MANY)], 120_000);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Every step, in an order that checks the guest still serves after the reset. */
async function exercise(ns: Netns, guest: NsProcess, host: string): Promise<void> {
  await guest.waitFor('tcp-echo: echoing TCP port 7');
  expect(await client(ns, host, ['big', 'rst', 'many', 'rst', 'big'])).toEqual({
    big: { sent: 1 << 20, received: 1 << 20, same: true },
    rst: true,
    many: { closed: MANY, same: MANY },
  });
  // Still alive after all of it: it serves forever, so it is killed at cleanup.
  expect(await client(ns, host, ['big'])).toEqual({
    big: { sent: 1 << 20, received: 1 << 20, same: true },
  });
}

describe.skipIf(!canUseNetns)('tcp-echo conformance', () => {
  const netns = useNetns();

  it('tcp-echo spt: 1 MiB echoed, 200 concurrent connections, serving on after resets', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.3.1/24' });
    const guest = ns.nablaRun(
      ['--net:service=tap0', example('tcp-echo'), '--ipv4=10.7.3.2/24', '--ipv4-gateway=10.7.3.1'],
      180_000,
    );
    await guest.waitFor('tcpip: 10.7.3.2/24 on service, mtu 1500\n');
    await exercise(ns, guest, '10.7.3.2');
  }, 180_000);

  it('tcp-echo hosted: the same app as a Linux process over the same kind of tap', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.4.1/24' });
    const guest = ns.spawn(
      hosted('tcp-echo'),
      ['--net:service=tap0', '--', '--ipv4=10.7.4.9/24'],
      180_000,
    );
    await exercise(ns, guest, '10.7.4.9');
  }, 180_000);

  it.each([
    [
      '--ipv4=10.0.0.256/24',
      'tcpip: --ipv4=10.0.0.256/24: expected ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24',
    ],
    ['--ipv4=10.0.0.2', 'tcpip: --ipv4=10.0.0.2: expected ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24'],
    [
      '--ipv4=10.0.0.2/33',
      'tcpip: --ipv4=10.0.0.2/33: expected ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24',
    ],
    ['--ipv4=10.0.0/24', 'tcpip: --ipv4=10.0.0/24: expected ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24'],
    ['--ipv4=', 'tcpip: --ipv4=: expected ADDR/PREFIX, e.g. --ipv4=10.0.0.2/24'],
    ['--ipv4-gateway=gw', 'tcpip: --ipv4-gateway=gw: expected ADDR, e.g. --ipv4-gateway=10.0.0.1'],
    [
      '--ipv4-gateway=1.2.3.4.5',
      'tcpip: --ipv4-gateway=1.2.3.4.5: expected ADDR, e.g. --ipv4-gateway=10.0.0.1',
    ],
    [
      '--ipv4',
      "tcpip: --ipv4: expected a value after '=' (--ipv4=ADDR/PREFIX, --ipv4-gateway=ADDR)",
    ],
  ])('tcp-echo spt: %s is refused with one line and status 1', async (arg, line) => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.5.1/24' });
    const exit = await ns.nablaRun(['--net:service=tap0', example('tcp-echo'), arg]).exited;
    expect(exit.status).toBe(1); // the guest's SOLO5_EXIT_FAILURE
    const own = exit.stdout.split('\n').filter((l) => !l.startsWith('Solo5: '));
    expect(own).toEqual([line, '']);
  });
});
