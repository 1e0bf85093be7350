// registers.test.ts: the guest starts with every vector, mask, x87 and general register in its init state.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUnikernel } from '../../src/toolchain/build.js';
import { ROOT } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const SOURCE = join(ROOT, 'test/security/regs');
const kernel = join(scratch.dir, 'regs.nabla');

/** What this CPU has, as the kernel reports it: what the guest can and must check. */
const flags = new Set(
  (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/),
);
const AVX512 = flags.has('avx512f');
const AVX = flags.has('avx');

beforeAll(async () => {
  // Not in scripts/build-guests.mjs: its entry point is the capture code, not the SDK's _start.
  await buildUnikernel({
    sources: [join(SOURCE, 'regs.c')],
    manifest: join(SOURCE, 'manifest.json'),
    output: kernel,
    cflags: ['-Wl,-e,regs_entry'],
  });
}, 120_000);

describe('registers at guest entry', () => {
  it('with --verbose (tender strings in flight), every register the guest sees is in its init state', () => {
    const r = nablaRun(['--verbose', kernel]);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('regs: '));
    const value = (name: string) =>
      lines.find((l) => l.startsWith(`regs: ${name} `))?.slice(`regs: ${name} `.length);

    // The tender did print (and so copy strings through its registers) before the jump.
    expect(r.stderr).toMatch(/^nabla-run: seccomp: no_new_privs, then the filter/m);

    const checked = value('checked:')?.split(' ') ?? [];
    const notChecked = value('not checked:') ?? '';
    console.log(`checked: ${checked.join(' ')}; not checked:${notChecked || ' nothing'}`);
    expect(checked).toEqual(expect.arrayContaining(['gpr', 'x87', 'sse']));
    if (AVX) expect(checked).toContain('avx');
    // On an AVX-512 host (this one and CI) nothing may go unchecked.
    if (AVX512) {
      expect(checked).toEqual(expect.arrayContaining(['opmask', 'zmm_hi256', 'hi16_zmm']));
      expect(notChecked).toBe('');
    }

    const wide = AVX512 ? 'zmm' : AVX ? 'ymm' : 'xmm';
    const vectors = Array.from({ length: AVX512 ? 32 : 16 }, (_, i) => `${wide}${i}`);
    const masks = AVX512 ? Array.from({ length: 8 }, (_, i) => `k${i}`) : [];
    const x87 = Array.from({ length: 8 }, (_, i) => `st${i}`);
    const dumps = Object.fromEntries([...vectors, ...masks, ...x87].map((n) => [n, value(n)]));
    expect(dumps).toEqual(Object.fromEntries(Object.keys(dumps).map((n) => [n, '0'])));

    expect({
      fcw: value('fcw'),
      fsw: value('fsw'),
      ftw: value('ftw'),
      fop: value('fop'),
      fip: value('fip'),
      fdp: value('fdp'),
      mxcsr: value('mxcsr'),
    }).toEqual({
      fcw: '0x37f', // FNINIT's control word: all x87 exceptions masked
      fsw: '0x0',
      ftw: '0x0', // abridged tag word: every register empty
      fop: '0x0',
      fip: '0x0',
      fdp: '0x0',
      mxcsr: '0x1f80', // all SIMD exceptions masked, round to nearest
    });
    // General registers: zero, but the boot info, the stack and the entry point.
    const zeroed = ['rax', 'rcx', 'rdx', 'rbx', 'rbp', 'rsi', 'r8', 'r9', 'r10', 'r11', 'r12'];
    for (const gpr of [...zeroed, 'r13', 'r14']) {
      expect(`${gpr} ${value(gpr)}`).toBe(`${gpr} 0x0`);
    }
    expect(value('rdi')).toBe('0x11000');
    expect(value('rsp')).toBe('0x1ffffff8');

    expect(lines.filter((l) => l.includes('NOT'))).toEqual([]);
    expect(lines.at(-1)).toBe('regs: 0 not in their init state');
    expect(r.status).toBe(0);
    // And the tender says how it reset them.
    expect(r.stderr).toMatch(/^nabla-run: registers: every component of XCR0 0x[0-9a-f]+ reset/m);
  });
});
