// decode-filter.test.ts: what proveFilter reads back from BPF alone, for device sets the examples do not cover.
import { describe, expect, it } from 'vitest';
import { proveAllowlist } from '../../src/audit/allowlist.js';
import {
  AUDIT_ARCH_X86_64,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_KILL_PROCESS,
} from '../../src/audit/bpf-sim.js';
import { conditionKey, proveFilter } from '../../src/audit/decode-filter.js';
import { block } from '../../src/devices/block.js';
import { net } from '../../src/devices/net.js';
import { compileFilter } from '../../src/native/index.js';
import { buildPolicy, type PolicyContext, type PolicyRule } from '../../src/policy/rules.js';
import { bpf, LD, RET } from './bpf-asm.js';

const compile = (rules: readonly PolicyRule[]) =>
  compileFilter(rules.map((r) => ({ syscall: r.syscall, args: r.args }))).bpf;

/** Each decoded alternative as "nr: conditions", the way the policy's rules read. */
function decoded(rules: readonly PolicyRule[]): string[] {
  const proof = proveFilter(compile(rules), rules);
  expect(proof.disagreements).toEqual([]);
  return proof.allowed
    .flatMap((s) => s.alternatives.map((alt) => `${s.nr}: ${conditionKey(alt)}`))
    .sort();
}
const expected = (rules: readonly PolicyRule[]) =>
  [...new Set(rules.map((r) => `${r.nr}: ${conditionKey(r.args)}`))].sort();

const GiB = 1n << 30n;

describe('decoding a filter by simulation', () => {
  it('reads back a block bound above 4 GiB, where the comparison spans both 32-bit halves', () => {
    const ctx: PolicyContext = {
      epollFd: 3,
      timerFd: 4,
      devices: [
        {
          kind: block,
          name: 'big',
          hostFd: 5,
          capacity: 8n * GiB + 4096n,
          blockSize: 4096,
        },
      ],
    };
    const rules = buildPolicy(ctx);
    const got = decoded(rules);
    expect(got).toEqual(expected(rules));
    expect(got).toContain(`17: a0 eq 5 && a2 eq 4096 && a3 le ${8n * GiB}`);
  });

  it('keeps two block devices and two net devices apart, each with its own bounds', () => {
    const ctx: PolicyContext = {
      epollFd: 3,
      timerFd: 4,
      devices: [
        { kind: block, name: 'a', hostFd: 5, capacity: 1n << 20n, blockSize: 512 },
        { kind: net, name: 'n0', hostFd: 6 },
        { kind: block, name: 'b', hostFd: 7, capacity: 1n << 24n, blockSize: 4096 },
        { kind: net, name: 'n1', hostFd: 8 },
      ],
    };
    const rules = buildPolicy(ctx);
    expect(decoded(rules)).toEqual(expected(rules));
  });

  it('names each alternative with its table reason and device, and lists none unmatched', () => {
    const ctx: PolicyContext = {
      epollFd: 3,
      timerFd: 4,
      devices: [{ kind: net, name: 'service', hostFd: 5 }],
    };
    const rules = buildPolicy(ctx);
    const { verification, allowlist } = proveAllowlist(compile(rules), rules);
    expect(verification.passed).toBe(true);
    expect(verification.unmatched).toEqual({ filter: [], table: [] });
    const write = allowlist.find((s) => s.name === 'write');
    expect(write?.alternatives.map((a) => [a.text, a.device])).toEqual([
      ['a0 == 1', null],
      ['a0 == 5', 'service'],
    ]);
    expect(write?.alternatives[1]?.reason).toBe('solo5_net_write of one frame to the tap');
  });

  it('finds an extra syscall the table does not have, and a table rule the filter lacks', () => {
    const rules = buildPolicy({ epollFd: 3, timerFd: 4, devices: [] });
    const bpf = compile([...rules, { syscall: 'getpid', nr: 39, args: [], reason: 'extra' }]);
    const withoutClock = rules.filter(
      (r) => !(r.syscall === 'clock_gettime' && r.args[0]?.value === 0n),
    );
    const { verification } = proveAllowlist(bpf, withoutClock);
    expect(verification.passed).toBe(false);
    expect(verification.unmatched.filter).toEqual(['getpid: always', 'clock_gettime: a0 == 0']);
    expect(verification.disagreements.map((d) => [d.name, d.abi, d.filter])).toContainEqual([
      'getpid',
      'x86_64',
      'allow',
    ]);
  });

  it('reads back 63 block devices, each descriptor with its own block size and bound', () => {
    const ctx: PolicyContext = {
      epollFd: 3,
      timerFd: 4,
      devices: Array.from({ length: 63 }, (_, i) => ({
        kind: block,
        name: `storage${i}`,
        hostFd: 5 + i,
        // Every other device above 4 GiB, so both shapes of the bound are read back.
        capacity: i % 2 === 0 ? BigInt(4096 * (i + 1)) : 5n * GiB + BigInt(4096 * i),
        blockSize: i % 3 === 0 ? 4096 : 512,
      })),
    };
    const rules = buildPolicy(ctx);
    const got = decoded(rules);
    expect(got).toEqual(expected(rules));
    expect(got.filter((line) => line.startsWith('17: '))).toHaveLength(63);
    expect(got).toContain(`18: a0 eq 66 && a2 eq 512 && a3 le ${5n * GiB + 4096n * 61n - 512n}`);
  });

  it('describes a test of one half of an argument as such, and matches it with no table rule', () => {
    // write allowed when the low word of a0 is 1, whatever its high word.
    const program = bpf([
      LD(4),
      [0x15, 0, 5, AUDIT_ARCH_X86_64],
      LD(0),
      [0x15, 0, 3, 1],
      LD(16),
      [0x15, 0, 1, 1],
      RET(SECCOMP_RET_ALLOW),
      RET(SECCOMP_RET_KILL_PROCESS),
    ]);
    const write = buildPolicy({ epollFd: 3, timerFd: 4, devices: [] }).filter(
      (r) => r.syscall === 'write',
    );
    const { verification, allowlist } = proveAllowlist(program, write);
    expect(allowlist.map((s) => [s.name, s.argsVaried, s.alternatives.map((a) => a.text)])).toEqual(
      [['write', [0], ['a0.lo32 == 1']]],
    );
    expect(verification.passed).toBe(false);
    expect(verification.unmatched).toEqual({
      filter: ['write: a0.lo32 == 1'],
      table: ['write: a0 == 1'],
    });
    expect(verification.disagreements[0]).toMatchObject({
      name: 'write',
      abi: 'x86_64',
      args: [String((1n << 32n) | 1n), '0', '0', '0', '0', '0'],
      filter: 'allow',
      table: 'kill',
    });
  });
});
