// http.test.ts: the http scenario: wrk's summary read right (and its failures refused), and every variant once against real servers.
import { describe, expect, it } from 'vitest';
import { canUseNetns } from '../../src/bench/netns.js';
import { httpScenario, parseWrk } from '../../src/bench/scenarios/http.js';
import { benchContext, expectWellFormed, runOnce } from '../helpers/bench-scenario.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/** wrk 4.1.0's output, as it prints it with --latency. */
const WRK = (tail: string) => `Running 1s test @ http://10.0.0.2:8080/1k.bin
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.05us  120.11us   2.61ms   80.00%
    Req/Sec    76.91k     3.12k   80.11k    80.00%
  Latency Distribution
     50%  370.00us
     75%  450.00us
     90%  520.00us
     99%    1.66ms
  76543 requests in 1.00s, 92.10MB read
${tail}Requests/sec:  76543.21
Transfer/sec:     92.10MB
`;

describe('bench scenario http: wrk', () => {
  it('reads requests/s and the 50th and 99th latency percentiles, in ms', () => {
    expect(parseWrk(WRK(''))).toEqual({ rps: 76543.21, p50: 0.37, p99: 1.66, timeouts: 0 });
  });

  it('refuses a run with answers that were not 2xx or connect errors, and counts timeouts', () => {
    expect(() => parseWrk(WRK('  Non-2xx or 3xx responses: 12\n'))).toThrow(
      /12 answers were not 2xx/,
    );
    expect(() => parseWrk(WRK('  Socket errors: connect 3, read 0, write 0, timeout 0\n'))).toThrow(
      /socket errors: connect 3/,
    );
    // Requests that timed out are counted, not refused: the report tells them beside the figure.
    expect(parseWrk(WRK('  Socket errors: connect 0, read 0, write 0, timeout 7\n')).timeouts).toBe(
      7,
    );
    expect(parseWrk(WRK('')).timeouts).toBe(0);
    // With a connection per request, read errors are the server's closes: counted, not refused.
    expect(parseWrk(WRK('  Socket errors: connect 0, read 40, write 0, timeout 0\n')).rps).toBe(
      76543.21,
    );
    expect(() => parseWrk('wrk: connection refused\n')).toThrow(/no summary/);
  });
});

describe.skipIf(!canUseNetns)('bench scenario http', () => {
  it('every variant serves both files and the connection-per-request load through wrk', async () => {
    const scenario = httpScenario({ quick: 3, full: 3 });
    const ctx = benchContext(scratch.dir);
    // Where runsc's sandbox network still refuses the host (oci.ts works around Linux 6.x's
    // namespaced rmem_default), the variant must say so, not fail; crun must run. Where runsc
    // runs, its `close` figure must not be zero (nginx without tcp_nopush there).
    const runsc = await scenario.variants
      .find((v) => v.name === 'nginx (runsc)')
      ?.unavailable?.(ctx);
    if (runsc !== undefined)
      expect(runsc).toMatch(
        /^runsc cannot run a container in a network namespace here \(status \d+\): \S/,
      );
    const { measurements, unavailable } = await runOnce(scenario, ctx, [
      'solo5-spt',
      ...(runsc === undefined ? [] : ['nginx (runsc)']),
    ]);
    expect(unavailable.get('solo5-spt')).toBe('no peer given (--peer solo5-spt=PATH)');
    expect([...measurements.keys()]).toEqual([
      'hosted',
      'nabla',
      'nginx (bwrap+seccomp)',
      ...(runsc === undefined ? ['nginx (runsc)'] : []),
      'nginx (crun)',
    ]);
    for (const [variant, ms] of measurements) {
      expectWellFormed(ms);
      expect(
        ms.map((m) => m.metric),
        variant,
      ).toEqual([
        '1k.requests_per_s',
        '1k_p50.latency_ms',
        '1k_p99.latency_ms',
        '1m.requests_per_s',
        '1m_p50.latency_ms',
        '1m_p99.latency_ms',
        'close.requests_per_s',
      ]);
      for (const m of ms) expect(m.value, `${variant} ${m.metric}`).toBeGreaterThan(0);
    }
  }, 300_000);
});
