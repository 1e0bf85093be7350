// rules.test.ts: the resolved allowlist equals docs/abi.md §5 for each device set, row for row.
import { describe, expect, it } from 'vitest';
import { block } from '../../src/devices/block.js';
import { net } from '../../src/devices/net.js';
import { buildPolicy, type PolicyRule } from '../../src/policy/rules.js';

const compact = (rules: PolicyRule[]) =>
  rules.map((r) =>
    `${r.syscall}(${r.nr}) ${r.args.map((a) => `a${a.index} ${a.op} ${a.value}`).join(', ')}`.trim(),
  );

// docs/abi.md §5, written out by hand for descriptor layout epoll=3, timer=4.
const CORE = [
  'write(1) a0 eq 1',
  'exit_group(231)',
  'clock_gettime(228) a0 eq 1',
  'clock_gettime(228) a0 eq 0',
  'epoll_pwait(281) a0 eq 3',
  'timerfd_settime(286) a0 eq 4',
  'arch_prctl(158) a0 eq 4098',
];

describe('policy table', () => {
  it('allows exactly the core hypercalls for a guest without devices', () => {
    expect(compact(buildPolicy({ epollFd: 3, timerFd: 4, devices: [] }))).toEqual(CORE);
  });

  it('adds bounded pread64/pwrite64 per block device', () => {
    const rules = buildPolicy({
      epollFd: 3,
      timerFd: 4,
      devices: [
        { kind: block, name: 'a', hostFd: 5, capacity: 4n << 20n, blockSize: 512 },
        { kind: block, name: 'b', hostFd: 6, capacity: 8192n, blockSize: 4096 },
      ],
    });
    expect(compact(rules)).toEqual([
      ...CORE,
      `pread64(17) a0 eq 5, a2 eq 512, a3 le ${(4n << 20n) - 512n}`,
      `pwrite64(18) a0 eq 5, a2 eq 512, a3 le ${(4n << 20n) - 512n}`,
      'pread64(17) a0 eq 6, a2 eq 4096, a3 le 4096',
      'pwrite64(18) a0 eq 6, a2 eq 4096, a3 le 4096',
    ]);
    expect(rules.filter((r) => r.device === 'b').map((r) => r.syscall)).toEqual([
      'pread64',
      'pwrite64',
    ]);
  });

  it('adds read/write on the tap descriptor per net device', () => {
    const rules = buildPolicy({
      epollFd: 3,
      timerFd: 4,
      devices: [{ kind: net, name: 'n', hostFd: 5 }],
    });
    expect(compact(rules)).toEqual([...CORE, 'read(0) a0 eq 5', 'write(1) a0 eq 5']);
  });

  it('gives every rule a reason and ties every rule but exit_group to an argument', () => {
    const rules = buildPolicy({
      epollFd: 3,
      timerFd: 4,
      devices: [{ kind: net, name: 'n', hostFd: 5 }],
    });
    for (const rule of rules) {
      expect(rule.reason.length).toBeGreaterThan(5);
      if (rule.syscall !== 'exit_group') expect(rule.args.length).toBeGreaterThan(0);
    }
  });
});
