// address-space.test.ts: a running guest's address space holds its memory, the vDSO and one trampoline page, nothing of the tender.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepare, run } from '../../src/api.js';
import { defaultEngine } from '../../src/engine/engine.js';
import { planMemfd } from '../../src/launch/exec.js';
import { tenderPath } from '../../src/launch/tender-path.js';
import { benchGuest } from '../../src/package/paths.js';
import { PLAN_HEADER } from '../../src/plan/format.js';
import { buildUnikernel } from '../../src/toolchain/build.js';
import { procStatus, waitFor } from '../helpers/live-guest.js';
import { example, NABLA_RUN, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const SOURCE = join(ROOT, 'test/security/addrspace');
const probe = join(scratch.dir, 'probe.nabla');
const PAGE = 4096n;
const GUEST_BASE = 0x10000n; // docs/abi.md §4.1
const DEFAULT_MEM = 512n << 20n;
const root = process.geteuid?.() === 0;

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  inode: string;
  name: string;
  line: string;
}

/** /proc/PID/maps, one entry per line. */
function maps(pid: number): Mapping[] {
  return readFileSync(`/proc/${pid}/maps`, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [range = '', perms = '', , , inode = '', ...name] = line.split(/\s+/);
      const [start = '0', end = '0'] = range.split('-');
      return {
        start: BigInt(`0x${start}`),
        end: BigInt(`0x${end}`),
        perms,
        inode,
        name: name.join(' '),
        line,
      };
    });
}

const isVdso = (m: Mapping) => m.name === '[vdso]' || /^\[vvar.*\]$/.test(m.name);
const inGuest = (m: Mapping, memSize: bigint) => m.start >= GUEST_BASE && m.end <= memSize;
/** The trampoline: anonymous, unnamed, outside guest memory. */
const isTrampolineCandidate = (m: Mapping, memSize: bigint) =>
  !inGuest(m, memSize) && m.inode === '0' && m.name === '';

/** Processes whose parent is `ppid`: a guest's watchdog (this kernel has no task/children). */
function childrenOf(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return procStatus(Number(pid)).PPid === String(ppid);
      } catch {
        return false; // gone while we looked
      }
    })
    .map(Number);
}

const kills: Array<() => void> = [];
afterEach(() => {
  for (const kill of kills.splice(0)) kill();
});

beforeAll(async () => {
  // Built here, not by scripts/build-guests.mjs: only this file runs it.
  await buildUnikernel({
    sources: [join(SOURCE, 'probe.c')],
    manifest: join(SOURCE, 'manifest.json'),
    output: probe,
  });
}, 120_000);

/** The two ways run() starts a guest: a spawned tender, or a fork of the image's template. */
const PATHS = [
  { path: 'spawned tender', engine: false },
  { path: 'start engine', engine: true },
] as const;

describe.each(PATHS)('address space spt ($path)', ({ engine }) => {
  it("a running guest's /proc/PID/maps: its memory, the vDSO, one r-x trampoline page; nothing of the tender", async () => {
    const guest = run({ kernel: benchGuest('idle'), stdio: 'pipe' }, { engine });
    kills.push(() => guest.kill());
    if (!guest.stdout) throw new Error('stdout is not piped');
    await waitFor(guest.stdout, 'ready');
    const all = maps(guest.pid);
    console.log(all.map((m) => m.line).join('\n'));

    const guestMemory = all.filter((m) => inGuest(m, DEFAULT_MEM));
    const vdso = all.filter(isVdso);
    // The kernel's fixed page above every user address: not a mapping the process can remove.
    const vsyscall = all.filter((m) => m.name === '[vsyscall]');
    const trampolines = all.filter((m) => isTrampolineCandidate(m, DEFAULT_MEM));
    const rest = all.filter(
      (m) =>
        !guestMemory.includes(m) &&
        !vdso.includes(m) &&
        !vsyscall.includes(m) &&
        !trampolines.includes(m),
    );

    // Nothing else: no file of the tender, libc or the loader, no [heap], no [stack].
    expect(rest.map((m) => m.line)).toEqual([]);
    // No file outside guest memory; inside it, a template's guest maps its image from the
    // template's sealed memfd (copy-on-write), a spawned tender's guest maps no file at all.
    expect(
      all.filter((m) => m.name.startsWith('/') && !inGuest(m, DEFAULT_MEM)).map((m) => m.line),
    ).toEqual([]);
    const files = new Set(all.filter((m) => m.name.startsWith('/')).map((m) => m.name));
    expect([...files]).toEqual(engine ? ['/memfd:nabla-image (deleted)'] : []);
    expect(all.filter((m) => m.name === '[heap]' || m.name === '[stack]')).toEqual([]);
    // Guest memory spans exactly [0x10000, 512 MiB), in the ELF's protections.
    expect(guestMemory[0]?.start).toBe(GUEST_BASE);
    expect(guestMemory.at(-1)?.end).toBe(DEFAULT_MEM);
    for (const [i, m] of guestMemory.entries())
      if (i > 0) expect(m.start).toBe(guestMemory[i - 1]?.end);
    expect(vdso.map((m) => m.name)).toContain('[vdso]');
    // Exactly one trampoline: read+execute, never writable, one or two pages.
    expect(trampolines).toHaveLength(1);
    const [t] = trampolines;
    expect(t?.perms).toBe('r-xp');
    expect(t && t.end - t.start <= 2n * PAGE).toBe(true);
    if (!t || !root) return; // below: /proc/PID/mem of a guest that is not dumpable
    // The page holds no word of the tender's argv: not its name, not the kernel's path.
    const mem = openSync(`/proc/${guest.pid}/mem`, 'r');
    try {
      const page = Buffer.alloc(Number(t.end - t.start));
      readSync(mem, page, 0, page.length, Number(t.start));
      expect(page.includes('nabla')).toBe(false);
      expect(page.includes(benchGuest('idle'))).toBe(false);
      // The failure lines waited in guest memory after the command line: zero again at entry.
      const boot = Buffer.alloc(0x2000);
      readSync(mem, boot, 0, boot.length, 0x11000);
      const cmdlineEnd = boot.indexOf(0, Number(boot.readBigUInt64LE(16)) - 0x11000); // spt_boot_info.cmdline
      const after = boot.subarray(cmdlineEnd);
      expect(after.includes('nabla')).toBe(false);
      expect(after.equals(Buffer.alloc(after.length))).toBe(true);
    } finally {
      closeSync(mem);
    }
  });
});

/**
 * Writes `tender` (where the tender or template had its mappings) and controls from the
 * guest's own maps to the probe's disk, waits for it to end, and returns the tender ranges in
 * which the guest found a readable page. Controls must all read as readable, or the oracle
 * proves nothing.
 */
async function probeFinds(
  tender: Mapping[],
  guestPid: number,
  disk: string,
  ended: Promise<{ status: number | null; stdout: string; stderr: string }>,
): Promise<string[]> {
  const named = new Set(tender.map((m) => m.name));
  // The test would prove little if the copy lacked what it is about.
  expect(named).toContain('[stack]');
  expect([...named].some((n) => n.endsWith('/nabla-spt'))).toBe(true);
  expect([...named].some((n) => /\/libc\.so/.test(n))).toBe(true);
  expect([...named].some((n) => /\/ld-linux/.test(n))).toBe(true);

  const own = maps(guestPid);
  const controls = [
    ...own.filter((m) => m.name === '[vdso]'),
    ...own
      .filter((m) => isTrampolineCandidate(m, DEFAULT_MEM))
      .map((m) => ({ ...m, name: 'trampoline' })),
    { start: 0x11000n, end: 0x12000n, name: 'boot info page' },
    { start: 0x100000n, end: 0x101000n, name: 'guest text' },
  ];
  const ranges = [...tender, ...controls];
  const block = Buffer.alloc(4096);
  block.write('NLAPROBE', 0, 'latin1');
  block.writeBigUInt64LE(BigInt(ranges.length), 8);
  for (const [i, r] of ranges.entries()) {
    block.writeBigUInt64LE(r.start, 16 + 16 * i);
    block.writeBigUInt64LE(r.end, 24 + 16 * i);
  }
  const fd = openSync(disk, 'r+');
  try {
    writeSync(fd, block, 0, block.length, 0);
  } finally {
    closeSync(fd);
  }

  const { status, stdout, stderr } = await ended;
  expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
  const readable = ranges.map((_, i) => {
    const m = new RegExp(`^probe: range ${i}: (\\d+) of (\\d+) pages readable$`, 'm').exec(stdout);
    if (!m) throw new Error(`no result for range ${i} in:\n${stdout}`);
    return { hits: Number(m[1]), pages: Number(m[2]) };
  });
  const found = tender
    .map((m, i) => ({ m, r: readable[i] }))
    .filter(({ r }) => (r?.hits ?? 0) > 0)
    .map(({ m, r }) => `${r?.hits}/${r?.pages} pages of ${m.line}`);
  const pages = readable.slice(0, tender.length).reduce((n, r) => n + r.pages, 0);
  console.log(
    `tender: ${tender.length} ranges, ${pages} pages probed, ${found.length} with readable pages; ` +
      `controls: ${controls.map((c, i) => `${c.name} ${readable[tender.length + i]?.hits}/${readable[tender.length + i]?.pages}`).join(', ')}`,
  );
  for (const [i, c] of controls.entries()) {
    const r = readable[tender.length + i];
    expect(`${c.name}: ${r?.hits}/${r?.pages}`).toBe(`${c.name}: ${r?.pages}/${r?.pages}`);
  }
  return found;
}

/** Every mapping of a process but the vDSO's, which the guest keeps, and the kernel's half. */
const tenderRanges = (pid: number) =>
  maps(pid).filter((m) => !isVdso(m) && m.name !== '[vsyscall]' && m.start < 1n << 63n);

describe('address space spt', () => {
  // Root: the watchdog is not dumpable, so only root reads its maps (CI runs as root).
  it.runIf(root)(
    'the guest finds nothing readable where the tender had its code, libraries, heap and stack',
    async () => {
      const disk = scratch.disk('ranges.img', 4096);
      // --timeout forks the watchdog: a copy of the tender's address space as of its step 5.
      const child = spawn(
        process.execPath,
        [NABLA_RUN, '--timeout=120', `--block:ranges=${disk}`, probe],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      kills.push(() => child.kill('SIGKILL'));
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
      });
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
      });
      const ended = new Promise<{ status: number | null; stdout: string; stderr: string }>(
        (resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })),
      );
      await waitFor(child.stdout, 'ready');
      const pid = child.pid as number; // nabla-run execs the tender: the same pid
      const [watchdog] = childrenOf(pid);
      if (watchdog === undefined) throw new Error('no watchdog under the guest');
      expect(await probeFinds(tenderRanges(watchdog), pid, disk, ended)).toEqual([]);
    },
  );

  // Root: the template is not dumpable either.
  it.runIf(root)(
    "a template's guest finds nothing readable where the template has its code, libraries, heap, stack and socket buffers",
    async () => {
      const disk = scratch.disk('ranges-engine.img', 4096);
      const guest = run({ kernel: probe, block: [{ name: 'ranges', path: disk }] });
      kills.push(() => guest.kill());
      if (!guest.stdout) throw new Error('stdout is not piped');
      await waitFor(guest.stdout, 'ready');
      const [template] = defaultEngine().templateList.filter(
        (t) => t.alive && readFileSync(`/proc/${t.pid}/cmdline`, 'utf8').includes(probe),
      );
      if (!template) throw new Error('no template for the probe');
      // The template is alive and keeps all of its mappings while its guest runs.
      expect(await probeFinds(tenderRanges(template.pid), guest.pid, disk, guest.output())).toEqual(
        [],
      );
    },
  );

  it('a system call that fails in the trampoline, after the unmapping, still gives one line and status 1', () => {
    const prepared = prepare({ kernel: example('hello'), memMiB: 8 });
    const plan = prepared.encodePlan({ elfFd: 4, deviceFds: [] });
    // The first instruction's code becomes one the kernel's BPF checker refuses (EINVAL).
    plan.writeUInt16LE(0xffff, plan.readUInt32LE(PLAN_HEADER.bpfOffset));
    const planFd = planMemfd(plan);
    try {
      const r = spawnSync(tenderPath(), ['3', example('hello')], {
        argv0: 'nabla-run',
        env: {},
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe', planFd, prepared.unikernel.fd],
      });
      expect({ status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: 1,
        signal: null,
        stdout: '',
        stderr: `nabla-run: cannot install the seccomp filter (${prepared.filter.bpf.length / 8} instructions): errno 22\n`, // EINVAL
      });
    } finally {
      closeSync(planFd);
      prepared.release();
    }
  });
});
