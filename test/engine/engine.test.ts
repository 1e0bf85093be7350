// engine.test.ts: run() through the start engine: the same guests as a spawned tender, from one template, isolated, supervised.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultEngine } from '../../src/engine/engine.js';
import type { Template } from '../../src/engine/template.js';
import { run } from '../../src/index.js';
import { openDescriptors, procStatus, waitFor } from '../helpers/live-guest.js';
import { example, guest, ROOT } from '../helpers/paths.js';
import { isGone, pollFor, stat } from '../helpers/proc-state.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const MARKER = guest('marker');
const engine = defaultEngine();

afterAll(async () => {
  await engine.close();
});

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
/** The lines of a process's maps that come from a template's image memfd. */
const imageMappings = (pid: number) =>
  readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .filter((line) => line.includes('/memfd:nabla-image'));

/** The running templates whose command line names `kernel`. */
function templatesOf(kernel: string): Template[] {
  return engine.templateList.filter((t) => t.alive && cmdline(t.pid).includes(kernel));
}

/** Starts the marker guest and resolves once it has printed "marked". */
async function marked(marker: string, ms: number) {
  const handle = run({ kernel: MARKER, args: [marker, String(ms)], memMiB: 8 });
  if (!handle.stdout) throw new Error('stdout is not piped');
  await waitFor(handle.stdout, 'marked');
  return handle;
}

const FRESH = 'found data=pristine bss=(zero) heap=(zero) stack=(zero)';

describe('start engine spt', () => {
  it('run() starts guests from a template by default; { engine: false } spawns a tender', async () => {
    const viaEngine = await marked('ONE', 500);
    const [template] = templatesOf(MARKER);
    expect(template).toBeDefined();
    // The guest is this process's child (CLONE_PARENT), forked from the template: its program
    // is the tender, its image the template's memfd, mapped copy-on-write.
    expect(stat(viaEngine.pid)?.ppid).toBe(process.pid);
    expect(readlinkSync(`/proc/${viaEngine.pid}/exe`)).toMatch(/\/nabla-spt$/);
    expect(imageMappings(viaEngine.pid)).not.toEqual([]);
    const spawned = run({ kernel: MARKER, args: ['ONE', '500'], memMiB: 8 }, { engine: false });
    if (!spawned.stdout) throw new Error('stdout is not piped');
    await waitFor(spawned.stdout, 'marked');
    expect(imageMappings(spawned.pid)).toEqual([]);
    const [a, b] = await Promise.all([viaEngine.output(), spawned.output()]);
    expect(a).toEqual(b);
    expect(a.status).toBe(0);
    expect(a.stdout).toContain('kept ONE');
    // The same template serves the next guest of the same image and options.
    await run({ kernel: MARKER, args: ['TWO'], memMiB: 8 }).output();
    expect(templatesOf(MARKER).map((t) => t.pid)).toEqual([template?.pid]);
  });

  it('{ keepOutput: false } leaves the console to the caller: output() holds none of it', async () => {
    const hello = example('hello');
    for (const engine of [true, false]) {
      const handle = run(
        { kernel: hello, args: ['kept?'], memMiB: 8 },
        { engine, keepOutput: false },
      );
      if (!handle.stdout) throw new Error('stdout is not piped');
      handle.stdout.setEncoding('utf8');
      const closed = new Promise((r) => handle.stdout?.once('close', r));
      let read = '';
      handle.stdout.on('data', (c: string) => {
        read += c;
      });
      const out = await handle.output();
      await closed;
      expect(out).toMatchObject({ status: 0, stdout: '', stderr: '' });
      expect(read).toContain('Command line: kept?');
    }
    expect(() => run({ kernel: hello }, { keepOutput: 'no' as unknown as boolean })).toThrow(
      'Expected a boolean for keepOutput but received "no"',
    );
  });

  it('the same statuses and output as a spawned tender: a block device, an abort, a fault, a forbidden call', async () => {
    const disk = scratch.disk('blk.img', 1 << 20);
    const cases = [
      { kernel: example('blk'), memMiB: 8, block: [{ name: 'storage', path: disk }] },
      { kernel: guest('abort'), memMiB: 8 },
      { kernel: guest('page0'), memMiB: 8 },
      { kernel: guest('sysdup'), memMiB: 8 },
      { kernel: guest('exit1'), memMiB: 8 },
    ];
    for (const options of cases) {
      const viaEngine = await run(options).output();
      const spawned = await run(options, { engine: false }).output();
      expect({ kernel: options.kernel, ...viaEngine }).toEqual({
        kernel: options.kernel,
        ...spawned,
      });
    }
    const statuses = await Promise.all(cases.map((o) => run(o).exited.then((e) => e.status)));
    expect(statuses).toEqual([0, 255, 139, 159, 1]); // ok, abort, SIGSEGV, SIGSYS, exit 1
  });

  it("a template's guest has a spawned tender's guest's ids, capabilities, limits and descriptors", async () => {
    const options = { kernel: guest('sleeper'), memMiB: 16 };
    const view = async (engineOn: boolean) => {
      const disk = scratch.disk(`priv-${engineOn}.img`, 1 << 20);
      const handle = run(
        { ...options, block: [{ name: 'storage', path: disk }] },
        { engine: engineOn },
      );
      try {
        if (!handle.stdout) throw new Error('stdout is not piped');
        await waitFor(handle.stdout, 'ready');
        const status = procStatus(handle.pid);
        const fields = ['Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'];
        const limits = readFileSync(`/proc/${handle.pid}/limits`, 'utf8');
        return {
          ...Object.fromEntries(fields.map((f) => [f, status[f]])),
          NoNewPrivs: status.NoNewPrivs,
          Seccomp: status.Seccomp,
          fds: Object.keys(openDescriptors(handle.pid)),
          limits,
        };
      } finally {
        handle.kill();
        await handle.exited;
      }
    };
    const spawned = await view(false);
    const fromTemplate = await view(true);
    expect(fromTemplate).toEqual(spawned);
    // And what those are (docs/security.md): no capability, no new privileges, filtered.
    expect(fromTemplate).toMatchObject({
      CapInh: '0000000000000000',
      CapPrm: '0000000000000000',
      CapEff: '0000000000000000',
      CapAmb: '0000000000000000',
      NoNewPrivs: '1',
      Seccomp: '2',
    });
    const uid = (fromTemplate as Record<string, unknown>).Uid;
    if (process.geteuid?.() === 0) expect(String(uid).split(/\s+/)[0]).toBe('65534');
  });

  it("a template that cannot start says why, in the tender's words, as one TENDER_FAILED error; the caller goes on", () => {
    // Too low an open files limit for the template's own descriptors (above the plan's 1,024).
    // The template may end before or after it has read the request: the same answer either way,
    // and the orchestrator goes on (no stream is left polling a closed descriptor).
    const script = `
      import { run } from ${JSON.stringify(`${ROOT}dist/index.js`)};
      for (let i = 0; i < 5; i++) {
        try { run({ kernel: ${JSON.stringify(example('hello'))}, memMiB: 8 }); console.log('started'); }
        catch (e) { console.log(e.code + ' ' + e.message); }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log('done');`;
    const r = spawnSync(
      'prlimit',
      ['--nofile=256:256', process.execPath, '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    const lines = r.stdout.trim().split('\n');
    expect(lines.pop()).toBe('done');
    expect(lines).toHaveLength(5);
    for (const line of lines)
      expect(line, r.stdout).toMatch(
        /^TENDER_FAILED engine: the template ended before it was ready: cannot move the socket above descriptor 1024: .* \(is the open files limit, ulimit -n, above 1024\?\)$/,
      );
  });

  it('no memory is shared writable between guests of one template: each finds the image, not the last guest', async () => {
    const a = await marked('A-MARKER', 2_000);
    const [template] = templatesOf(MARKER);
    expect(template).toBeDefined();
    // B starts while A runs and after A has written .data, .bss, heap and stack.
    const b = await run({ kernel: MARKER, args: ['B-MARKER'], memMiB: 8 }).output();
    expect(b.stdout).toContain(`${FRESH}\nmarked\nkept B-MARKER\n`);
    expect(templatesOf(MARKER).map((t) => t.pid)).toEqual([template?.pid]);
    const aOut = await a.output();
    expect(aOut).toMatchObject({ status: 0, signal: null });
    expect(aOut.stdout).toContain(`${FRESH}\nmarked\nkept A-MARKER\n`);
    // And after A has ended.
    const c = await run({ kernel: MARKER, args: ['C-MARKER'], memMiB: 8 }).output();
    expect(c.stdout).toContain(`${FRESH}\nmarked\nkept C-MARKER\n`);
  });

  it('a template that dies takes no running guest with it, and the next run gets a new template', async () => {
    const a = await marked('A-SURVIVES', 1_000);
    const [template] = templatesOf(MARKER);
    if (!template) throw new Error('no template for the marker guest');
    template.kill();
    expect(await pollFor(() => isGone(template.pid), 2_000)).not.toBeNull();
    // A keeps running, and its memory is its own: it finds its marker where it wrote it.
    const out = await a.output();
    expect(out).toMatchObject({ status: 0, signal: null });
    expect(out.stdout).toContain('marked\nkept A-SURVIVES\n');
    const b = await run({ kernel: MARKER, args: ['B-AFTER'], memMiB: 8 }).output();
    expect(b.stdout).toContain(`${FRESH}\nmarked\nkept B-AFTER\n`);
    const [next] = templatesOf(MARKER);
    expect(next?.pid).not.toBe(template.pid);
  });

  it('guests and their template die with the orchestrator (SIGKILL), at once', async () => {
    const script = `
      import { run } from ${JSON.stringify(`${ROOT}dist/index.js`)};
      import { defaultEngine } from ${JSON.stringify(`${ROOT}dist/engine/engine.js`)};
      const guests = [1, 2, 3].map((i) => run({ kernel: ${JSON.stringify(MARKER)}, args: ['M' + i, '600000'], memMiB: 8 }));
      let marked = 0;
      for (const g of guests) g.stdout.on('data', (c) => {
        if (String(c).includes('marked') && ++marked === guests.length)
          process.stdout.write(guests.map((g) => g.pid).concat(defaultEngine().templateList.map((t) => t.pid)).join(' ') + '\\n');
      });`;
    const orchestrator = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pids: number[] = [];
    try {
      let out = '';
      orchestrator.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      await waitFor(orchestrator.stdout, '\n');
      pids = out.trim().split(' ').map(Number);
      expect(pids).toHaveLength(4); // three guests, one template
      expect(pids.every((pid) => !isGone(pid))).toBe(true);
      orchestrator.kill('SIGKILL');
      // PDEATHSIG, not a timer: at once (a few ms idle; a loaded CI machine took 125 ms once).
      const ms = await pollFor(() => pids.every(isGone), 5_000);
      expect(ms).not.toBeNull();
    } finally {
      orchestrator.kill('SIGKILL');
      for (const pid of pids) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it("each guest gets its own end: one that ends as the next one's pidfd arrives (the same number) keeps its status", async () => {
    // A killed guest's pidfd is closed when its end is read; the next guest's pidfd, received in
    // the same turn of the event loop, takes the freed number. Each must still get its own end.
    for (let round = 0; round < 20; round++) {
      const killed = run({ kernel: MARKER, args: [`K${round}`, '600000'], memMiB: 8 });
      if (!killed.stdout) throw new Error('stdout is not piped');
      await waitFor(killed.stdout, 'marked');
      killed.kill('SIGKILL');
      const next = run({ kernel: MARKER, args: [`N${round}`], memMiB: 8 });
      const [k, n] = await Promise.all([killed.output(), next.output()]);
      expect({ round, k: k.signal, n: n.status, signal: n.signal }).toEqual({
        round,
        k: 'SIGKILL',
        n: 0,
        signal: null,
      });
      expect(n.stdout).toContain(`kept N${round}\n`);
    }
  });

  it('pid and kill() wait for the template to answer; a guest killed at once ends with SIGKILL', async () => {
    const handle = run({ kernel: MARKER, args: ['K', '600000'], memMiB: 8 });
    expect(handle.kill('SIGKILL')).toBe(true);
    expect(handle.pid).toBeGreaterThan(0);
    const out = await handle.output();
    expect(out).toMatchObject({ signal: 'SIGKILL', status: 137 });
    expect(handle.kill()).toBe(false); // ended: nothing is sent
  });
});
