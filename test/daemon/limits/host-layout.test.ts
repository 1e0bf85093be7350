// host-layout.test.ts: finding the cgroup v1 hierarchies from mountinfo and /proc/self/cgroup texts; a v2-only host refused in one line.
import { describe, expect, it } from 'vitest';
import { cgroupLayout } from '../../../src/daemon/limits/host-layout.js';

/** mountinfo lines as the kernel writes them (this machine's, trimmed; then variants). */
const tmpfs = '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755';
const v1 = (id: number, name: string, opts = name, root = '/') =>
  `${id} 31 0:${id} ${root} /sys/fs/cgroup/${name} rw,relatime - cgroup cgroup rw,${opts}`;
const unified = '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw';
const v2Only = '30 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw';

describe('cgroup layout', () => {
  it('separate hierarchies: one per controller, each based at this process group', () => {
    const layout = cgroupLayout(
      [tmpfs, v1(32, 'cpu'), v1(33, 'cpuacct'), v1(35, 'memory'), v1(39, 'pids'), unified].join(
        '\n',
      ),
      '8:pids:/\n4:memory:/process_api/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n',
    );
    expect(layout.hierarchies.map((h) => [h.controllers, h.base])).toEqual([
      [['memory'], '/sys/fs/cgroup/memory/process_api/abc'],
      [['cpu'], '/sys/fs/cgroup/cpu'],
      [['cpuacct'], '/sys/fs/cgroup/cpuacct'],
      [['pids'], '/sys/fs/cgroup/pids'],
    ]);
    expect(layout.of.cpuacct.mount).toBe('/sys/fs/cgroup/cpuacct');
  });

  it('cpu and cpuacct mounted together are one hierarchy; a mount of a subtree is followed', () => {
    const layout = cgroupLayout(
      [
        v1(32, 'cpu,cpuacct', 'cpu,cpuacct'),
        v1(35, 'memory', 'memory', '/system.slice'),
        v1(39, 'pid\\040s', 'pids'),
      ].join('\n'),
      '5:pids:/system.slice/nabla.service\n4:memory:/system.slice/nabla.service\n2:cpu,cpuacct:/system.slice/nabla.service\n',
    );
    expect(layout.hierarchies.map((h) => [h.controllers, h.base])).toEqual([
      [['memory'], '/sys/fs/cgroup/memory/nabla.service'],
      [['cpu', 'cpuacct'], '/sys/fs/cgroup/cpu,cpuacct/system.slice/nabla.service'],
      [['pids'], '/sys/fs/cgroup/pid s/system.slice/nabla.service'],
    ]);
    expect(layout.of.cpu).toBe(layout.of.cpuacct);
  });

  it('a cgroup v2 host is refused with one line saying what limits need', () => {
    expect(() => cgroupLayout(v2Only, '0::/system.slice/nabla.service\n')).toThrow(
      expect.objectContaining({
        code: 'CGROUP',
        message:
          'limits need cgroup v1 hierarchies for the memory, cpu, cpuacct and pids controllers; this host has none for memory, cpu, cpuacct, pids (cgroup v2, the unified hierarchy, is not supported yet)',
      }),
    );
  });

  it('a v1 host without the pids controller is refused, naming it', () => {
    expect(() =>
      cgroupLayout([v1(32, 'cpu,cpuacct', 'cpu,cpuacct'), v1(35, 'memory')].join('\n'), ''),
    ).toThrow('this host has none for pids');
  });
});
