// seccomp.test.ts: compileFilter and resolveSyscall against the real libseccomp.
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native/binding.js';
import { callNative } from '../../src/native/errors.js';
import {
  compileFilter,
  type FilterRule,
  NativeError,
  resolveSyscall,
} from '../../src/native/index.js';

const CONSOLE: FilterRule[] = [
  { syscall: 'write', args: [{ index: 0, op: 'eq', value: 1n }] },
  { syscall: 'exit_group', args: [] },
];

// Classic BPF as the kernel reads it: u16 code, u8 jt, u8 jf, u32 k, little-endian.
function instructions(bpf: Buffer): Array<{ code: number; k: number }> {
  const out = [];
  for (let at = 0; at < bpf.length; at += 8) {
    out.push({ code: bpf.readUInt16LE(at), k: bpf.readUInt32LE(at + 4) });
  }
  return out;
}

const BPF_LD_W_ABS = 0x20;
const BPF_JMP_JEQ_K = 0x15;
const BPF_RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ALLOW = 0x7fff0000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('compileFilter', () => {
  it('compiles write(fd == 1) and exit_group into whole BPF instructions', () => {
    const { bpf, pfc } = compileFilter(CONSOLE);
    expect(bpf.length).toBeGreaterThan(0);
    expect(bpf.length % 8).toBe(0);
    expect(pfc).toContain('filter for syscall "write" (1)');
    expect(pfc).toContain('filter for syscall "exit_group" (231)');
    expect(pfc).toContain('if ($a0.lo32 == 1)');
    expect(pfc).toContain('action KILL_PROCESS;');
  });

  it('checks the architecture first and kills by default', () => {
    const program = instructions(compileFilter(CONSOLE).bpf);
    // seccomp_data.arch is at offset 4; anything but x86_64 is killed.
    expect(program[0]).toEqual({ code: BPF_LD_W_ABS, k: 4 });
    expect(program[1]).toEqual({ code: BPF_JMP_JEQ_K, k: AUDIT_ARCH_X86_64 });
    const returns = program.filter((i) => i.code === BPF_RET_K).map((i) => i.k);
    expect(returns).toContain(SECCOMP_RET_ALLOW);
    expect(returns).toContain(SECCOMP_RET_KILL_PROCESS);
    expect(returns.every((k) => k === SECCOMP_RET_ALLOW || k === SECCOMP_RET_KILL_PROCESS)).toBe(
      true,
    );
  });

  it('is deterministic: the same rules give the same bytes', () => {
    const a = compileFilter(CONSOLE);
    const b = compileFilter(CONSOLE);
    expect(b.bpf.equals(a.bpf)).toBe(true);
    expect(b.pfc).toBe(a.pfc);
  });

  it('compiles 64-bit le and masked_eq comparisons on both halves', () => {
    const { pfc } = compileFilter([
      {
        syscall: 'pread64',
        args: [
          { index: 2, op: 'le', value: 0xfffffffffffff000n },
          { index: 3, op: 'masked_eq', value: 0x3_00000010n, mask: 0xf_000000f0n },
        ],
      },
    ]);
    // libseccomp splits 64-bit arguments into 32-bit halves: 0xffffffff / 0xfffff000.
    expect(pfc).toContain('if ($a2.hi32 > 4294967295)');
    expect(pfc).toContain('if ($a2.lo32 > 4294963200)');
    expect(pfc).toContain('if ($a3.hi32 & 0x0000000f == 3)');
    expect(pfc).toContain('if ($a3.lo32 & 0x000000f0 == 16)');
  });

  // What libseccomp 2.5.4 prints for "argument 0 <op> 7" (whitespace collapsed): each op name
  // must land on its own comparison, e.g. 'lt' allows unless lo32 >= 7.
  it.each([
    ['eq', 'if ($a0.hi32 == 0) if ($a0.lo32 == 7) action ALLOW;'],
    ['ne', 'if ($a0.hi32 == 0) if ($a0.lo32 == 7) else action ALLOW; else action ALLOW;'],
    ['lt', 'if ($a0.hi32 > 0) else if ($a0.hi32 == 0) if ($a0.lo32 >= 7) else action ALLOW;'],
    ['le', 'if ($a0.hi32 > 0) else if ($a0.hi32 == 0) if ($a0.lo32 > 7) else action ALLOW;'],
    ['ge', 'if ($a0.hi32 > 0) action ALLOW; else if ($a0.hi32 == 0) if ($a0.lo32 >= 7) action'],
    ['gt', 'if ($a0.hi32 > 0) action ALLOW; else if ($a0.hi32 == 0) if ($a0.lo32 > 7) action'],
  ] as const)('compiles op %s to its libseccomp comparison', (op, expected) => {
    const { pfc } = compileFilter([{ syscall: 'close', args: [{ index: 0, op, value: 7n }] }]);
    const body = pfc.split('if ($syscall == 3)')[1]?.split('# default action')[0] ?? '';
    const collapsed = body.replace(/\s+/g, ' ').trim();
    expect(collapsed.slice(0, expected.length)).toBe(expected);
  });

  it('compiles an empty allowlist (everything is killed)', () => {
    const { bpf, pfc } = compileFilter([]);
    expect(bpf.length % 8).toBe(0);
    expect(pfc).not.toContain('filter for syscall');
  });

  it('throws NativeError naming an unknown syscall', () => {
    let error: unknown;
    try {
      compileFilter([{ syscall: 'no_such_syscall', args: [] }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NativeError);
    expect(error).toMatchObject({
      code: 'EINVAL',
      errno: 22,
      syscall: 'seccomp_syscall_resolve_name',
      message: 'seccomp_syscall_resolve_name(no_such_syscall): Invalid argument',
    });
  });

  it('rejects pseudo-syscalls that do not exist on x86_64', () => {
    expect(() => compileFilter([{ syscall: 'socketcall', args: [] }])).toThrow(NativeError);
  });

  it('reports libseccomp failures with its errno and the syscall name', () => {
    // An op code libseccomp rejects (0 is below SCMP_CMP_NE); only reachable below the typed API.
    const call = () => callNative(() => native().compileFilter([['write', [[0, 0, 1n, 0n]]]]));
    expect(call).toThrow(NativeError);
    expect(call).toThrow('seccomp_rule_add_array(write): Invalid argument');
  });

  it.each([
    [[{ syscall: 'write', args: [{ index: 6, op: 'eq', value: 1n }] }], 'rules[0].args[0].index'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'is', value: 1n }] }], 'rules[0].args[0].op'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'eq', value: -1n }] }], 'rules[0].args[0].value'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'eq', value: 1 }] }], 'rules[0].args[0].value'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'eq', value: 1n << 64n }] }], 'args[0].value'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'eq', value: 1n, mask: 1n }] }], 'args[0].mask'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'masked_eq', value: 1n }] }], 'args[0].mask'],
    [[{ syscall: 'write', args: [{ index: 0, op: 'masked_eq', value: 3n, mask: 1n }] }], 'value'],
    [
      [
        {
          syscall: 'write',
          args: [
            { index: 0, op: 'eq', value: 1n },
            { index: 0, op: 'ne', value: 2n },
          ],
        },
      ],
      'rules[0].args[1].index',
    ],
    [[{ syscall: '', args: [] }], 'rules[0].syscall'],
    [[{ syscall: 'write\0', args: [] }], 'rules[0].syscall'],
    [[{ syscall: 'write' }], 'rules[0].args'],
    [[null], 'rules[0]'],
  ])('rejects malformed rules before the addon: %o', (rules, name) => {
    const call = () => compileFilter(rules as unknown as FilterRule[]);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(new RegExp(`^Expected .+ for \\S*${escapeRegExp(name)} but received `));
  });
});

describe('resolveSyscall', () => {
  it('gives x86_64 numbers', () => {
    expect(resolveSyscall('read')).toBe(0);
    expect(resolveSyscall('write')).toBe(1);
    expect(resolveSyscall('arch_prctl')).toBe(158);
    expect(resolveSyscall('exit_group')).toBe(231);
    expect(resolveSyscall('epoll_pwait')).toBe(281);
  });

  it('gives -1 for unknown names and pseudo-syscalls', () => {
    expect(resolveSyscall('no_such_syscall')).toBe(-1);
    expect(resolveSyscall('socketcall')).toBe(-1);
  });
});
