// summon.test.ts: the summon scenario: every variant once (always-running, through a warm front, summoned cold by the engine and by a spawned tender).
import { describe, expect, it } from 'vitest';
import { canUseNetns } from '../../src/bench/netns.js';
import { summonScenario } from '../../src/bench/scenarios/summon.js';
import { benchContext, expectWellFormed, runOnce } from '../helpers/bench-scenario.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

describe.skipIf(!canUseNetns)('bench scenario summon', () => {
  it('times the first request and the load with and without the front, and cold starts', async () => {
    const { measurements } = await runOnce(
      summonScenario({ requests: { quick: 2, full: 2 }, wrkSeconds: { quick: 1, full: 1 } }),
      benchContext(scratch.dir),
    );
    const warmPath = [
      'first_request.latency_ms',
      '1k.requests_per_s',
      '1k_p50.latency_ms',
      'close.requests_per_s',
    ];
    const cold = ['first_summon.latency_ms', 'first_request.latency_ms', 'guest_ready.latency_ms'];
    expect(
      Object.fromEntries([...measurements].map(([v, ms]) => [v, ms.map((m) => m.metric)])),
    ).toEqual({
      'always-running': warmPath,
      'summoned warm': warmPath,
      'summoned cold': cold,
      'summoned cold (spawn)': cold,
    });
    for (const [variant, ms] of measurements) {
      expectWellFormed(ms);
      for (const m of ms) expect(m.value, `${variant} ${m.metric}`).toBeGreaterThan(0);
    }
  }, 300_000);
});
