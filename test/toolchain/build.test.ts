// build.test.ts: builds a guest with the SDK and checks the ELF layout the tender relies on, and hosted builds.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NablaError } from '../../src/errors.js';
import { PACKAGE_ROOT } from '../../src/package/paths.js';
import { BuildError, buildUnikernel } from '../../src/toolchain/build.js';

const run = promisify(execFile);
const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_NOTE = 4;
const PT_TLS = 7;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const PAGE = 0x1000n;

interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

/** An independent ELF64 program header reader (the SDK has none of its own). */
function readElf(elf: Buffer): { type: number; machine: number; entry: bigint; phdrs: Phdr[] } {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  const phdrs: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    phdrs.push({
      type: elf.readUInt32LE(at),
      flags: elf.readUInt32LE(at + 4),
      offset: Number(elf.readBigUInt64LE(at + 8)),
      vaddr: elf.readBigUInt64LE(at + 0x10),
      filesz: elf.readBigUInt64LE(at + 0x20),
      memsz: elf.readBigUInt64LE(at + 0x28),
    });
  }
  return {
    type: elf.readUInt16LE(0x10),
    machine: elf.readUInt16LE(0x12),
    entry: elf.readBigUInt64LE(0x18),
    phdrs,
  };
}

let dir: string;
let elf: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nabla-build-test-'));
  const output = join(dir, 'hello.nabla');
  await buildUnikernel({
    sources: [join(PACKAGE_ROOT, 'examples', 'hello', 'hello.c')],
    manifest: join(PACKAGE_ROOT, 'test', 'guests', 'sleeper', 'manifest.json'),
    output,
  });
  elf = await readFile(output);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('buildUnikernel', () => {
  it('produces a static x86_64 executable entered at or above 0x100000', () => {
    const e = readElf(elf);
    expect(e.type).toBe(2); // ET_EXEC
    expect(e.machine).toBe(62); // EM_X86_64
    expect(e.entry >= 0x100000n).toBe(true);
  });

  it('names a nonexistent interpreter so the host kernel will not run it', () => {
    const interp = readElf(elf).phdrs.find((p) => p.type === PT_INTERP);
    expect(interp).toBeDefined();
    const bytes = elf.subarray(interp?.offset, (interp?.offset ?? 0) + Number(interp?.filesz));
    expect(bytes.toString('latin1')).toBe('/nonexistent/solo5/\0');
  });

  it('loads text R+X, rodata R and data R+W, each on pages of its own, never W+X', () => {
    const loads = readElf(elf).phdrs.filter((p) => p.type === PT_LOAD && p.filesz > 0n);
    expect(loads.map((p) => p.flags)).toEqual([PF_R | PF_X, PF_R, PF_R | PF_W]);
    let previousEnd = 0x100000n;
    for (const p of loads) {
      expect(p.flags & (PF_W | PF_X)).not.toBe(PF_W | PF_X);
      expect(p.vaddr % PAGE).toBe(0n);
      expect(p.vaddr >= previousEnd).toBe(true);
      expect(p.memsz >= p.filesz).toBe(true);
      previousEnd = ((p.vaddr + p.memsz + PAGE - 1n) / PAGE) * PAGE;
    }
  });

  it("has one PT_NOTE per Solo5 note, one for nabla's EXT1, and a PT_TLS header", () => {
    const phdrs = readElf(elf).phdrs;
    const notes = phdrs
      .filter((p) => p.type === PT_NOTE)
      .map((p) => {
        expect(elf.readUInt32LE(p.offset)).toBe(6);
        return [
          elf.toString('latin1', p.offset + 12, p.offset + 18),
          elf.readUInt32LE(p.offset + 8),
        ];
      });
    expect(notes).toEqual([
      ['Solo5\0', 0x31494241], // ABI1
      ['Solo5\0', 0x3154464d], // MFT1
      ['nabla\0', 0x31545845], // EXT1: reads the extension page (docs/abi.md §4.5)
    ]);
    const ext = phdrs.find(
      (p) => p.type === PT_NOTE && elf.readUInt32LE(p.offset + 8) === 0x31545845,
    );
    expect(ext?.filesz).toBe(24n);
    expect(elf.readUInt32LE((ext?.offset ?? 0) + 4)).toBe(4); // descsz
    expect(elf.readUInt32LE((ext?.offset ?? 0) + 20)).toBe(1); // page version
    const manifest = phdrs.find(
      (p) => p.type === PT_NOTE && elf.readUInt32LE(p.offset + 8) === 0x3154464d,
    );
    // The manifest (note offset 24) is 8-aligned in the file and, congruently, in memory.
    expect(((manifest?.offset ?? 1) + 24) % 8).toBe(0);
    expect(elf.readUInt32LE((manifest?.offset ?? 0) + 28)).toBe(2); // reserved + storage
    expect(phdrs.some((p) => p.type === PT_TLS)).toBe(true);
  });

  it('reports compiler errors with the compiler output', async () => {
    const source = join(dir, 'broken.c');
    await writeFile(source, 'int solo5_app_main(void) { return missing_name; }\n');
    const build = buildUnikernel({
      sources: [source],
      manifest: join(PACKAGE_ROOT, 'examples', 'hello', 'manifest.json'),
      output: join(dir, 'broken.nabla'),
    });
    await expect(build).rejects.toBeInstanceOf(BuildError);
    await expect(build).rejects.toThrow(/missing_name/);
  });

  it('protects the stack with the global guard, never the TLS one at %fs:0x28', async () => {
    const { stdout } = await run('objdump', ['-d', join(dir, 'hello.nabla')], {
      maxBuffer: 64 << 20,
    });
    expect(stdout).toMatch(/<__stack_chk_guard>/);
    expect(stdout).toMatch(/call +[0-9a-f]+ <__stack_chk_fail>/);
    expect(stdout).not.toMatch(/%fs:0x28/);
  });
});

describe('buildUnikernel, hosted target', () => {
  it('links a normal dynamically linked executable that runs as is', async () => {
    const output = join(dir, 'hello-hosted');
    await buildUnikernel({
      sources: [join(PACKAGE_ROOT, 'examples', 'hello', 'hello.c')],
      manifest: join(PACKAGE_ROOT, 'examples', 'hello', 'manifest.json'),
      output,
      target: 'hosted',
    });
    const e = readElf(await readFile(output));
    expect(e.machine).toBe(62); // EM_X86_64
    expect(e.phdrs.some((p) => p.type === PT_INTERP)).toBe(true); // the host's dynamic loader
    const { stdout } = await run(output, ['--solo5:quiet', 'hi']);
    expect(stdout).toBe('Hello, world!\nCommand line: hi\n');
  });

  it('refuses an output path that is a directory before compiling, not with the linker', async () => {
    const output = join(dir, 'a-directory');
    await mkdir(output);
    const build = buildUnikernel({
      sources: [join(PACKAGE_ROOT, 'examples', 'hello', 'hello.c')],
      manifest: join(PACKAGE_ROOT, 'examples', 'hello', 'manifest.json'),
      output,
      target: 'hosted',
    });
    await expect(build).rejects.toBeInstanceOf(NablaError);
    await expect(build).rejects.toThrow(`${output}: Is a directory; the output must be a file`);
  });

  it('reports compiler errors the same way', async () => {
    const source = join(dir, 'broken-hosted.c');
    await writeFile(source, 'int solo5_app_main(void) { return missing_hosted; }\n');
    const build = buildUnikernel({
      sources: [source],
      manifest: join(PACKAGE_ROOT, 'examples', 'hello', 'manifest.json'),
      output: join(dir, 'broken-hosted'),
      target: 'hosted',
    });
    await expect(build).rejects.toBeInstanceOf(BuildError);
    await expect(build).rejects.toThrow(/missing_hosted/);
  });
});
