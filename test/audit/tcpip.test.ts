// tcpip.test.ts: a guest with the SDK's TCP/IP stack asks nothing more of the host: the audit of examples/tcp-echo, observed serving a real client, is the core rows plus the net rows.
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example, NABLA } from '../helpers/paths.js';
import { allowedOf, CORE, expectValidReport, net, sorted } from './expected.js';

/** The first device's descriptor in the guest (src/plan/layout.ts). */
const FIRST_DEVICE_FD = 5;

// Connects until the guest answers (it boots under ptrace while the audit observes it),
// then echoes 64 KiB once: the observed run goes through ARP, the handshake, data and FIN.
const CLIENT = `
import socket, time
deadline = time.time() + 20
while True:
    try:
        s = socket.create_connection(('10.7.6.2', 7), timeout=1); break
    except OSError:
        if time.time() > deadline: raise
        time.sleep(0.1)
data = bytes(range(256)) * 256
s.sendall(data); s.shutdown(socket.SHUT_WR)
got = b''
while True:
    b = s.recv(65536)
    if not b: break
    got += b
print(got == data)
`;

describe.skipIf(!canUseNetns)('audit tcpip', () => {
  const netns = useNetns();

  it('tcp-echo serving a client: core plus read/write on its net descriptor, and nothing denied', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.6.1/24' });
    const audit = ns.spawn(
      process.execPath,
      [
        NABLA,
        'audit',
        '--format=json',
        '--observe-timeout=6000',
        '--net:service=tap0',
        example('tcp-echo'),
        '--ipv4=10.7.6.2/24',
      ],
      60_000,
    );
    const client = await ns.run('python3', ['-c', CLIENT], 30_000);
    expect(client.stdout + client.stderr).toBe('True\n');
    const r = await audit.exited;
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expectValidReport(report);
    expect(allowedOf(report)).toEqual(sorted([...CORE, ...net(FIRST_DEVICE_FD)]));
    const seen = report.observation;
    if (seen.status !== 'observed') throw new Error(seen.reason);
    expect(seen.denied).toEqual([]);
    // The guest served: frames read and written on its tap, between yields.
    const names = seen.calls.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['read', 'write', 'epoll_pwait']));
  }, 90_000);
});
