// http.test.ts: the web server asks nothing more of the host than its devices: the audit of examples/http, observed serving a real client from its image, is the core rows plus the net and block rows.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';
import { makeSite } from '../helpers/http-site.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example, NABLA } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { allowedOf, block, CORE, expectValidReport, net, sorted } from './expected.js';

/** The devices' descriptors in the guest, in manifest order (src/plan/layout.ts). */
const SERVICE_FD = 5;
const STORAGE_FD = 6;

// Connects until the guest answers (it boots under ptrace while the audit observes it), then
// fetches one file: the observed run reads the image, and goes through ARP, the handshake,
// the request, the answer and the close.
const CLIENT = `
import socket, time
deadline = time.time() + 20
while True:
    try:
        s = socket.create_connection(('10.7.13.2', 80), timeout=1); break
    except OSError:
        if time.time() > deadline: raise
        time.sleep(0.1)
s.settimeout(10)
s.sendall(b'GET /notes.txt HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n')
got = b''
while True:
    b = s.recv(65536)
    if not b: break
    got += b
print(got.split(b'\\r\\n')[0].decode())
`;

describe.skipIf(!canUseNetns)('audit http', () => {
  const netns = useNetns();
  const scratch = useScratch();

  it('http serving a client: core plus its net and block rows, and nothing denied', async () => {
    const site = makeSite(scratch.dir, false);
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.13.1/24' });
    const audit = ns.spawn(
      process.execPath,
      [
        NABLA,
        'audit',
        '--format=json',
        '--observe-timeout=6000',
        '--net:service=tap0',
        `--block:storage=${site.image}`,
        example('http'),
        '--ipv4=10.7.13.2/24',
      ],
      60_000,
    );
    const client = await ns.run('python3', ['-c', CLIENT], 30_000);
    expect(client.stdout + client.stderr).toBe('HTTP/1.1 200 OK\n');
    const r = await audit.exited;
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expectValidReport(report);
    const capacity = BigInt(statSync(site.image).size);
    expect(allowedOf(report)).toEqual(
      sorted([...CORE, ...net(SERVICE_FD), ...block(STORAGE_FD, 512, capacity)]),
    );
    const seen = report.observation;
    if (seen.status !== 'observed') throw new Error(seen.reason);
    expect(seen.denied).toEqual([]);
    // The guest read its image and served: pread64 on the block, frames on the tap.
    const names = seen.calls.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['pread64', 'read', 'write', 'epoll_pwait']));
  }, 90_000);
});
