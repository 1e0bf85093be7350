// plan-cgroups.test.ts: the tender checks a plan's cgroup fields (v3) and the descriptors they name before anything else.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostCgroupLayout } from '../../../src/daemon/limits/index.js';
import { Engine } from '../../../src/engine/engine.js';
import type { LaunchReply } from '../../../src/engine/template.js';
import { prepare } from '../../../src/index.js';
import { planMemfd } from '../../../src/launch/exec.js';
import { tenderPath } from '../../../src/launch/tender-path.js';
import { PLAN_HEADER } from '../../../src/plan/format.js';
import { example, guest } from '../../helpers/paths.js';

/** A spawned tender (plan at 3, ELF at 4) given `extra` descriptors from 5, after `edit`. */
function tenderOn(
  cgroups: { firstFd: number; count: number },
  extra: number[],
  edit: (plan: Buffer) => void = () => {},
) {
  const prepared = prepare({ kernel: example('hello'), memMiB: 8 });
  const plan = prepared.encodePlan({ elfFd: 4, deviceFds: [], cgroups });
  edit(plan);
  const planFd = planMemfd(plan);
  try {
    const r = spawnSync(tenderPath(), ['3', example('hello')], {
      argv0: 'nabla-run',
      env: {},
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', planFd, prepared.unikernel.fd, ...extra],
    });
    return { status: r.status, stderr: r.stderr };
  } finally {
    closeSync(planFd);
    prepared.release();
  }
}

describe('plan cgroups spt', () => {
  it.each([
    [
      'more cgroups than 8',
      { firstFd: 5, count: 9 },
      () => {},
      'invalid launch plan: cgroup_count 9 exceeds 8',
    ],
    [
      'a first descriptor without a count',
      { firstFd: 0, count: 0 },
      (p: Buffer) => p.writeUInt16LE(7, PLAN_HEADER.cgroupFd),
      'invalid launch plan: cgroup_fd 7 without cgroups (expected 0)',
    ],
    [
      'descriptors past the limit',
      { firstFd: 1022, count: 3 },
      () => {},
      'invalid launch plan: cgroup descriptors 1022..1024 are not in 3..1023',
    ],
    [
      "the ELF's descriptor",
      { firstFd: 4, count: 1 },
      () => {},
      'invalid launch plan: descriptor 4 is the source of both elf_fd and a cgroup descriptor',
    ],
  ])('refuses a plan with %s', (_, cgroups, edit, message) => {
    const r = tenderOn(cgroups, [], edit);
    expect(r).toEqual({ status: 1, stderr: `nabla-run: ${message}\n` });
  });

  it('refuses a cgroup descriptor that is not a cgroup file, naming it, before the guest starts', () => {
    const devNull = openSync('/dev/null', 'w');
    try {
      expect(tenderOn({ firstFd: 5, count: 1 }, [devNull])).toEqual({
        status: 1,
        stderr: 'nabla-run: cgroup descriptor 5 (/dev/null) is not on a cgroup file system\n',
      });
    } finally {
      closeSync(devNull);
    }
  });

  it('refuses a cgroup file other than cgroup.procs, which would take its "0" as a value', () => {
    const { hierarchies } = hostCgroupLayout();
    const limit = openSync(`${hierarchies[0]?.base}/cgroup.clone_children`, 'w');
    try {
      expect(tenderOn({ firstFd: 5, count: 1 }, [limit])).toEqual({
        status: 1,
        stderr: `nabla-run: cgroup descriptor 5 (${hierarchies[0]?.base}/cgroup.clone_children) is not a cgroup.procs file\n`,
      });
    } finally {
      closeSync(limit);
    }
  });

  it("a template refuses a LAUNCH whose descriptors are not the plan's stdio, devices and cgroups", async () => {
    const engine = new Engine();
    const prepared = prepare({ kernel: guest('cgprobe'), args: ['idle'], memMiB: 8 });
    const devNull = openSync('/dev/null', 'r+');
    try {
      const first = engine.start(prepared, 'ignore'); // makes the template
      const [template] = engine.templateList;
      const plan = prepared.encodePlan({
        elfFd: 4,
        deviceFds: [],
        supervisor: { pid: process.pid },
        cgroups: { firstFd: 5, count: 1 },
      });
      const reply = await new Promise<LaunchReply>((resolve) =>
        template?.submit(plan, [devNull, devNull, devNull], resolve),
      );
      expect('failed' in reply && reply.failed.message).toBe(
        'engine: LAUNCH carries 3 descriptors, the plan needs 4 (stdio, 0 devices and 1 cgroups)',
      );
      first.kill('SIGKILL');
      await first.exited;
    } finally {
      closeSync(devNull);
      prepared.release();
      await engine.close();
    }
  });
});
