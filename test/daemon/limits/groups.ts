// groups.ts: the limit tests' control groups: under a parent of this test process, swept after each test.
import { readdirSync, rmdirSync } from 'node:fs';
import { afterAll, afterEach } from 'vitest';
import {
  type CgroupLayout,
  cgroupParentDirs,
  hostCgroupLayout,
  sweepCgroups,
} from '../../../src/daemon/limits/index.js';

/** The groups a test file makes sit under nabla-test/<pid>/ in each hierarchy. */
export function useTestCgroups(): { layout: CgroupLayout; parent: string; left(): string[] } {
  const layout = hostCgroupLayout();
  const parent = `nabla-test/${process.pid}`;
  const parents = cgroupParentDirs(layout, parent);
  /** Groups still under the parent, as "DIR/NAME". */
  const left = () =>
    parents.flatMap((dir) => {
      try {
        return readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${dir}/${e.name}`);
      } catch {
        return [];
      }
    });
  afterEach(async () => {
    await sweepCgroups(layout, parent);
  });
  afterAll(async () => {
    await sweepCgroups(layout, parent, { removeParent: true });
    // nabla-test itself, unless another test process still has groups in it.
    for (const dir of parents) {
      try {
        rmdirSync(dir.slice(0, dir.lastIndexOf('/')));
      } catch {
        // in use, or gone
      }
    }
  });
  return { layout, parent, left };
}
