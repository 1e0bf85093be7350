// daemon-latency.mjs: measures the daemon API's latency (p50, p99) with 1,000 idle guests, 16 requests in flight (after `npm run build`; run as root).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../dist/package/paths.js';

const N = 1000;
const IN_FLIGHT = 16;
const idle = join(PACKAGE_ROOT, 'build', 'bench', 'idle.nabla');
const dir = mkdtempSync(join(tmpdir(), 'nabla-latency-'));
const socket = join(dir, 'nabla.sock');
const daemon = spawn(
  process.execPath,
  [
    join(PACKAGE_ROOT, 'bin', 'nabla.js'),
    'daemon',
    '--socket',
    socket,
    '--state-dir',
    join(dir, 'state'),
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let log = '';
daemon.stderr.on('data', (c) => {
  log += c;
});
while (!log.includes('listening')) {
  if (daemon.exitCode !== null) throw new Error(log);
  await new Promise((r) => setTimeout(r, 20));
}
// Keep-alive connections, as a client that makes many calls would hold them.
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });

/** One request: its status, its body and how long it took (ms). */
function api(method, path, body) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request({ socketPath: socket, method, path, agent }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          text,
          ms: Number(process.hrtime.bigint() - start) / 1e6,
        }),
      );
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** `task(i)` for i in 0..N-1, IN_FLIGHT at a time: each one's milliseconds, and the wall time. */
async function pool(task) {
  let next = 0;
  const times = [];
  const start = Date.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) times.push(await task(next++));
    }),
  );
  return { times, wallMs: Date.now() - start };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};
const report = (what, { times, wallMs }) =>
  console.log(
    `${what.padEnd(28)} p50 ${percentile(times, 0.5).toFixed(2)} ms  p99 ${percentile(times, 0.99).toFixed(2)} ms` +
      (wallMs === undefined ? '' : `  (${times.length} in ${(wallMs / 1000).toFixed(2)} s)`),
  );

async function expectStatus(status, promise) {
  const r = await promise;
  if (r.status !== status) throw new Error(`${r.status}: ${r.text}`);
  return r.ms;
}

// The image's template starts with its first guest: not part of what is measured.
await expectStatus(201, api('POST', '/v1/instances', { name: 'warm', kernel: idle, memory: 8 }));
await expectStatus(204, api('DELETE', '/v1/instances/warm?force=true'));
const name = (i) => `g${i}`;
report(
  'create',
  await pool((i) =>
    expectStatus(201, api('POST', '/v1/instances', { name: name(i), kernel: idle, memory: 8 })),
  ),
);
report(
  'inspect (1,000 running)',
  await pool((i) => expectStatus(200, api('GET', `/v1/instances/${name(i)}`))),
);
report(
  'stats (1,000 running)',
  await pool((i) => expectStatus(200, api('GET', `/v1/instances/${name(i)}/stats`))),
);
const lists = [];
for (let i = 0; i < 50; i++) lists.push(await expectStatus(200, api('GET', '/v1/instances')));
report('list of 1,000 (50, in turn)', { times: lists });
report('stop', await pool((i) => expectStatus(200, api('POST', `/v1/instances/${name(i)}/stop`))));
report('remove', await pool((i) => expectStatus(204, api('DELETE', `/v1/instances/${name(i)}`))));
agent.destroy();
daemon.kill('SIGTERM');
await new Promise((r) => daemon.once('exit', r));
rmSync(dir, { recursive: true, force: true });
