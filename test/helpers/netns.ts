// netns.ts: a private network namespace per test (src/bench/netns.ts), destroyed after each test.
import { afterEach } from 'vitest';
import { Netns } from '../../src/bench/netns.js';

export {
  canUseNetns,
  Netns,
  type NsProcess,
  type NsResult,
  type PingStats,
  pingStats,
  type TapSpec,
} from '../../src/bench/netns.js';

/**
 * Call at the top of a test file: returns a factory for namespaces that are destroyed after
 * each test, whatever its outcome.
 */
export function useNetns(): () => Netns {
  const made: Netns[] = [];
  afterEach(async () => {
    const all = made.splice(0);
    const failures: unknown[] = [];
    for (const ns of all) await ns.destroy().catch((e: unknown) => failures.push(e));
    if (failures.length > 0) throw failures[0];
  });
  return () => {
    const ns = new Netns();
    made.push(ns);
    return ns;
  };
}
