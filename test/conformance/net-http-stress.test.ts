// net-http-stress.test.ts: examples/http under issue 12's stress rounds with real clients: 1,000 at once, resets, half-close, a SYN flood; it serves on after each.
import { describe, it } from 'vitest';
import { makeSite } from '../helpers/http-site.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { example } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import {
  expectHealthyAndStop,
  rounds,
  type StressTarget,
  startStress,
} from '../helpers/tcp-stress.js';

const scratch = useScratch();
const log = (what: string, r: unknown) => console.log(`${what}: ${JSON.stringify(r)}`);

/*
 * Every connection asks for one small file with "Connection: close": the server answers,
 * then closes, so the harness's "prefix, then the server's FIN" form checks each answer (its
 * status line; net-http.test.ts checks the bytes). The slow-client round (rounds.slow) is not
 * here yet: in one run of six against this server one fast exchange hung for its 10 s timeout
 * while the slow clients trickled, which is being looked into (issue 12); tcp-echo passes it.
 */
function target(image: string): StressTarget {
  return {
    kind: 'spt',
    image: example('http'),
    runOptions: [`--block:storage=${image}`],
    args: ['--port=8080'],
    port: 8080,
    ready: 'http: serving',
    proto: {
      kind: 'fixed',
      request: 'GET /index.html HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n',
      prefix: 'HTTP/1.1 200 OK\r\n',
      heavy: 'GET /big.bin HTTP/1.1\r\nHost: guest\r\n\r\n',
    },
  };
}

describe.skipIf(!canUseNetns)('examples/http under stress', () => {
  const netns = useNetns();

  it('1,000 at once, resets, half-closed clients, 20,000 spoofed SYNs: it serves after each, and 1,000 at once at the end', async () => {
    const { image } = makeSite(scratch.dir);
    const ns = netns();
    const g = await startStress(ns, target(image), 60, 240_000);
    log('1,000 at once', await rounds.concurrent(g, 1000, true));
    await rounds.fresh(g);
    log('resets', await rounds.resets(g));
    await rounds.fresh(g);
    log('half-closed', await rounds.halfClosed(g));
    await rounds.fresh(g);
    log('flood', await rounds.synFlood(g, [g.subnet, '192.0.2.']));
    log('fresh after the flood', await rounds.fresh(g, 10));
    // The server keeps a closed connection's table entry until the client's FIN or 2 s
    // (examples/http/README.md); the flood's half-open connections wait in lwIP until new SYNs
    // push them out. Both are bounded, not leaks: after they have gone, 1,000 at once again.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    log('1,000 after everything', await rounds.concurrent(g, 1000, true));
    await expectHealthyAndStop(ns, g.guest);
  }, 240_000);
});
