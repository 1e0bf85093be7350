// faults.test.ts: a guest dies with its supervisor, a timeout ends it and says so, and cycles leak nothing.
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultEngine } from '../../src/engine/engine.js';
import { prepare, run } from '../../src/index.js';
import { planMemfd } from '../../src/launch/exec.js';
import { tenderPath } from '../../src/launch/tender-path.js';
import { waitFor } from '../helpers/live-guest.js';
import { example, guest, ROOT } from '../helpers/paths.js';
import { isGone, ownDescriptors, pollFor, zombieChildren } from '../helpers/proc-state.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const disk = (name: string) => scratch.disk(name, 1 << 20);
const sleeper = (name: string) => ({
  kernel: guest('sleeper'),
  memMiB: 16,
  block: [{ name: 'storage', path: disk(name) }],
});

/**
 * A supervisor in its own Node process: starts the sleeper with run() (through the start
 * engine or a spawned tender, as argv[2] says), prints its pid once ready.
 */
const SUPERVISOR = `
import { run } from ${JSON.stringify(`${ROOT}dist/index.js`)};
const handle = run(JSON.parse(process.argv[1]), { engine: process.argv[2] === 'engine' });
handle.stdout.on('data', (chunk) => {
  if (chunk.toString().includes('ready')) process.stdout.write('guest ' + handle.pid + '\\n');
});
`;

/** run()'s two start paths: every API test here runs on both. */
const PATHS = [
  { path: 'spawned tender', engine: false },
  { path: 'start engine', engine: true },
] as const;

describe.each(PATHS)('faults spt ($path)', ({ engine }) => {
  it('a supervised guest dies with its supervisor (SIGKILL), at once', async () => {
    const supervisor = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        SUPERVISOR,
        JSON.stringify(sleeper(`orphan-${engine}.img`)),
        engine ? 'engine' : 'spawn',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let pid = 0;
    try {
      let out = '';
      supervisor.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      await waitFor(supervisor.stdout, '\n');
      pid = Number(/guest (\d+)/.exec(out)?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(isGone(pid)).toBe(false);
      supervisor.kill('SIGKILL');
      // PDEATHSIG, not a timer: at once (a few ms idle; loaded CI machines take 100 ms and more).
      const ms = await pollFor(() => isGone(pid), 5_000);
      expect(ms).not.toBeNull();
    } finally {
      supervisor.kill('SIGKILL');
      if (pid > 0 && !isGone(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('run({ timeoutMs }) kills the guest and its exit says timedOut', async () => {
    const start = performance.now();
    const out = await run({ ...sleeper(`api-${engine}.img`), timeoutMs: 300 }, { engine }).output();
    expect(performance.now() - start).toBeGreaterThanOrEqual(300);
    expect(out).toMatchObject({ timedOut: true, signal: 'SIGKILL', status: 137 });
    expect(out.stdout).toContain('ready');
    const quick = await run(
      { kernel: example('hello'), memMiB: 8, timeoutMs: 10_000 },
      { engine },
    ).output();
    expect(quick).toMatchObject({ timedOut: false, status: 0 });
  });

  it('1,000 start/stop cycles through the API leave no descriptor and no zombie behind', async () => {
    // The engine's own descriptors (its exit watcher) are made on first use: one run first.
    await run({ kernel: example('hello'), memMiB: 4 }, { engine }).output();
    await defaultEngine().close();
    const before = ownDescriptors();
    const sleepers = sleeper(`cycles-${engine}.img`);
    const start = performance.now();
    for (let i = 0; i < 1_000; i++) {
      if (i % 10 === 9) {
        // Every tenth: the sleeper, with a block device, stopped from here once it is ready.
        const handle = run(sleepers, { engine });
        const out = handle.output();
        if (!handle.stdout) throw new Error('stdout is not piped');
        await waitFor(handle.stdout, 'ready');
        handle.kill();
        expect((await out).signal).toBe('SIGKILL');
      } else {
        const out = await run(
          { kernel: example('hello'), memMiB: 4, args: [String(i)] },
          { engine },
        ).output();
        expect(out.status).toBe(0);
      }
    }
    const seconds = (performance.now() - start) / 1000;
    expect(seconds).toBeLessThan(60);
    // The templates (one per image and option set) stay for the next run until closed.
    await defaultEngine().close();
    expect(ownDescriptors()).toEqual(before);
    expect(zombieChildren(process.pid)).toEqual([]);
  }, 120_000);
});

describe('faults spt (the tender and the CLI)', () => {
  it('a guest whose supervisor is already gone when it starts is killed before it runs', async () => {
    // The plan names a parent the tender does not have: as if it had exited before PDEATHSIG was set.
    const prepared = prepare({ kernel: example('hello'), memMiB: 8 });
    const planFd = planMemfd(
      prepared.encodePlan({ elfFd: 4, deviceFds: [], supervisor: { pid: 1 } }),
    );
    try {
      const child = spawn(tenderPath(), ['3', example('hello')], {
        argv0: 'nabla-run',
        env: {},
        stdio: ['ignore', 'pipe', 'pipe', planFd, prepared.unikernel.fd],
      });
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.once('close', (c, s) => resolve([c, s])),
      );
      expect([code, signal]).toEqual([null, 'SIGKILL']);
      expect(stdout).toBe('');
    } finally {
      closeSync(planFd);
      prepared.release();
    }
  });

  it('nabla-run --timeout kills a guest that runs too long, says so, and ends with 137', () => {
    const start = performance.now();
    const r = nablaRun([
      '--timeout=1',
      '--mem=16',
      `--block:storage=${disk('cli.img')}`,
      guest('sleeper'),
    ]);
    const ms = performance.now() - start;
    expect(r.stdout).toContain('ready');
    expect(r.stderr).toBe('nabla-run: guest timed out after 1 s\n');
    expect(r.status).toBe(128 + constants.signals.SIGKILL); // 137
    expect(ms).toBeGreaterThanOrEqual(1_000);
    expect(ms).toBeLessThan(3_000);
  });

  it('nabla-run --timeout leaves a guest that ends in time alone', () => {
    const start = performance.now();
    const r = nablaRun(['--timeout=0.5', '--mem=8', example('hello')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Hello, world!');
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});
