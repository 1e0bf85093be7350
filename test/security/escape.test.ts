// escape.test.ts: escape attempts from a guest end with the expected signal and leave no trace on the host.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { constants as os } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { receiveMessage, seqpacketPair } from '../../src/native/engine.js';
import * as nativeApi from '../../src/native/index.js';
import {
  diffSnapshots,
  leftoverProcesses,
  processesTagged,
  snapshotDir,
} from '../helpers/host-trace.js';
import { canUseNetns, Netns } from '../helpers/netns.js';
import { NABLA_RUN, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { type Attempt, buildAttempts, FILTER_EXEMPT, GROUPS, STATUS } from './attempts.js';
import { CONTROLS, type Control } from './controls.js';
import { LAST_BLOCK, NET_FD } from './geometry.js';
import { DISK_IMAGE, ESCAPE_GUEST, EscapeHarness, type Expected, pool } from './harness.js';
import { hostTraits } from './host.js';

/** Runs at a time: the machines this runs on have two cores, and each run is mostly waiting. */
const WIDTH = 2;

const traits = hostTraits();
const attempts = buildAttempts(traits);
const scratch = useScratch();
/**
 * The net device: a multi-queue tap (runs overlap) in a namespace of the suite's own, up, with
 * no address and no IPv6, so nothing but the controls' frames ever crosses it.
 */
let ns: Netns | undefined;
const TAP = 'tap0';
/** Stands in for the tap in this process (see EscapeHarness); the tender gets the real one. */
let placeholderFd = -1;

/**
 * fd-exec's arguments that attach the tap at descriptor `fd`, then exec what follows.
 * Non-blocking, as nabla-run makes an @FD: here the tender gets it without nabla-run.
 */
function withTap(fd: number, inject?: string): string[] {
  const netns = `/run/netns/${(ns as Netns).name}`;
  const frame = inject === undefined ? [] : ['--inject', inject];
  return [tool('fd-exec'), '--netns', netns, '--nonblock', ...frame, String(fd), 'tap', TAP, '--'];
}

/**
 * A descriptor of the namespace's tap for this process (which cannot enter the namespace):
 * fd-exec attaches it there, non-blocking, with a frame waiting when `inject` is given, and
 * sends it back over a socket pair.
 */
function tapDescriptor(inject?: string): number {
  const [mine, theirs] = seqpacketPair();
  try {
    const netns = `/run/netns/${(ns as Netns).name}`;
    const frame = inject === undefined ? [] : ['--inject', inject];
    const r = spawnSync(
      tool('fd-exec'),
      ['--send', '3', '--netns', netns, '--nonblock', ...frame, '0', 'tap', TAP],
      { stdio: ['ignore', 'inherit', 'pipe', theirs], encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`fd-exec --send: ${r.stderr || r.status}`);
    const got = receiveMessage(mine, 5_000);
    const [fd] = got?.fds ?? [];
    if (fd === undefined) throw new Error('fd-exec --send sent no descriptor');
    return fd;
  } finally {
    closeSync(mine);
    closeSync(theirs);
  }
}

/** The tap's receive counters: what the guest sent into the namespace. */
function received(): { packets: number; bytes: number } {
  const stat = (name: string) =>
    Number((ns as Netns).execSync('cat', [`/sys/class/net/${TAP}/statistics/${name}`]));
  return { packets: stat('rx_packets'), bytes: stat('rx_bytes') };
}

function expectedOf(attempt: Attempt): Expected {
  const stdout = `attempt: ${attempt.name}\n`;
  const exempt = attempt.exemptNr === undefined ? undefined : FILTER_EXEMPT[attempt.exemptNr];
  const or = exempt
    ? [
        {
          status: exempt.status,
          stdout:
            exempt.ret === undefined
              ? stdout
              : `${stdout}ESCAPED ${attempt.name} ret=${exempt.ret}\n`,
        },
      ]
    : undefined;
  return { status: STATUS[attempt.expect], stdout, disk: DISK_IMAGE, ...(or ? { or } : {}) };
}

function expectedOfControl(control: Control): Expected {
  const returned =
    control.ret === undefined
      ? ''
      : `${control.prints ?? ''}ESCAPED ${control.name} ret=${control.ret}\n`;
  const disk = Buffer.from(DISK_IMAGE);
  if (control.writesLastBlock) disk.fill('X', LAST_BLOCK);
  return { status: control.status, stdout: `attempt: ${control.name}\n${returned}`, disk };
}

beforeAll(async () => {
  if (!existsSync(ESCAPE_GUEST))
    throw new Error(`not built: ${ESCAPE_GUEST} — run \`npm run build:guests\``);
  if (!canUseNetns)
    throw new Error('the escape suite needs root: its net device is a tap in a private namespace');
  ns = new Netns();
  ns.execSync('ip', ['tuntap', 'add', 'dev', TAP, 'mode', 'tap', 'multi_queue']);
  ns.execSync('ip', ['link', 'set', 'dev', TAP, 'up']);
  // prepare() in this process checks the net device's descriptor, which must be a tap
  // (src/devices/net.ts); this process cannot hold one of the namespace's taps, so the
  // placeholder passes for one here, and fd-exec puts the real tap where the tender looks,
  // which checks it again (tenders/spt/devices.c). test/devices/net-fd.test.ts tests both.
  placeholderFd = openSync('/dev/null', 'r');
  const realTunInfo = nativeApi.tunInfo;
  vi.spyOn(nativeApi, 'tunInfo').mockImplementation((fd) =>
    fd === placeholderFd
      ? { flags: nativeApi.IFF_TAP | nativeApi.IFF_NO_PI, name: TAP }
      : realTunInfo(fd),
  );
});

/**
 * A harness for one start path, its baseline taken after a first run: Node opens its
 * child-process plumbing, and the engine its exit watcher, on first use.
 */
async function newHarness(engine: boolean): Promise<EscapeHarness> {
  const harness = new EscapeHarness(
    scratch.dir,
    {
      placeholderFd,
      // launchGuest hands the tender its devices at their guest numbers: the net device at 6.
      wrap: (inject) => withTap(NET_FD, inject),
      tap: (inject) => tapDescriptor(inject),
    },
    engine,
  );
  harness.takeBaseline();
  const warmUp = { status: STATUS.SIGSYS, stdout: 'attempt: warm-up\n', disk: DISK_IMAGE };
  await harness.run('warm-up', ['syscall', '39'], warmUp);
  harness.takeBaseline();
  return harness;
}

afterAll(async () => {
  vi.restoreAllMocks();
  if (placeholderFd >= 0) closeSync(placeholderFd);
  await ns?.destroy();
});

/** run()'s two start paths: a spawned tender, and a fork of the image's template. */
const PATHS = [
  { path: 'spawned tender', engine: false },
  { path: 'start engine', engine: true },
] as const;

describe('escape spt', () => {
  let harness: EscapeHarness;
  beforeAll(async () => {
    harness = await newHarness(false);
  });

  it('the attempt table: unique names, every group filled, expectations stated', () => {
    const names = attempts.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const group of GROUPS)
      expect(
        attempts.some((a) => a.group === group),
        group,
      ).toBe(true);
    expect(CONTROLS.filter((c) => names.includes(c.name))).toEqual([]);
  });

  it('the trace checks see a trace: a file, a changed mode, a descriptor, a process left behind', async () => {
    const dir = join(scratch.dir, 'trace-probe');
    mkdirSync(dir);
    writeFileSync(join(dir, 'disk.img'), DISK_IMAGE);
    const before = snapshotDir(dir);
    writeFileSync(join(dir, 'escaped'), '');
    chmodSync(join(dir, 'disk.img'), 0o600);
    const changes = diffSnapshots(before, snapshotDir(dir));
    expect(changes.some((c) => c.startsWith('escaped: appeared'))).toBe(true);
    expect(changes.some((c) => c.startsWith('disk.img: '))).toBe(true);

    const fd = openSync(join(dir, 'disk.img'), 'r');
    try {
      expect(harness.strayDescriptors().some((d) => d.startsWith(`descriptor ${fd} `))).toBe(true);
    } finally {
      closeSync(fd);
    }
    expect(harness.strayDescriptors()).toEqual([]);

    // A process in its own group with a run's tag, as a guest's child would be.
    const tag = `${harness.tagPrefix}trace-probe.`;
    const child = spawn('sleep', ['30'], { argv0: tag, detached: true, stdio: 'ignore' });
    const exited = once(child, 'exit');
    await once(child, 'spawn');
    const pid = child.pid as number;
    try {
      expect(leftoverProcesses(pid, tag)).toHaveLength(1);
      expect(processesTagged(tag)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(leftoverProcesses(pid, tag)).toEqual([]);
  });

  // The same guest through the CLI users run (nabla-run execs the tender in place of Node).
  it.each([
    ['write-console', 0],
    ['pread-last', 0],
    ['exit-group', 7],
    ['syscall-57-fork', 159], // SIGSYS
    ['x32-write-console', 159], // SIGSYS
    ['int80-write-console', traits.ia32 ? 159 : 139], // SIGSYS, or SIGSEGV without i386
    ['write-fd-2', 159], // SIGSYS
    ['pwrite-offset-4096', 159], // SIGSYS
    ['mprotect-text-wx', 159], // SIGSYS
    ['exec-heap', 139], // SIGSEGV
  ] as const)('through nabla-run: %s ends with status %i', (name, status) => {
    const row = CONTROLS.find((c) => c.name === name) ?? attempts.find((a) => a.name === name);
    if (!row) throw new Error(`no attempt or control named ${name}`);
    const disk = scratch.file(`cli-${name}.img`, DISK_IMAGE);
    const [wrapper, ...wrapArgs] = withTap(3);
    const r = spawnSync(
      wrapper as string,
      [
        ...wrapArgs,
        process.execPath,
        'node',
        NABLA_RUN,
        '--mem=2',
        `--block:storage=${disk}`,
        '--net:net=@3',
        ESCAPE_GUEST,
        '--solo5:quiet',
        name,
        ...row.command,
      ],
      { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const shell = r.status ?? 128 + (r.signal ? os.signals[r.signal] : 0);
    expect(shell, r.stdout + r.stderr).toBe(status);
    expect(r.stdout.startsWith(`attempt: ${name}\n`), r.stdout).toBe(true);
    expect(r.stdout.includes('ESCAPED'), r.stdout).toBe(status === 0);
  });
});

describe.each(PATHS)('escape spt ($path)', ({ engine }) => {
  let harness: EscapeHarness;
  /** Attempt name → whether it was contained, filled in by the group tests. */
  const contained = new Map<string, boolean>();
  /** Attempts that ended the kernel-exempt way (contained only in that they left no trace). */
  const exemptEndings: string[] = [];
  beforeAll(async () => {
    harness = await newHarness(engine);
  });

  it('controls: the allowed calls with allowed arguments return, with only their legal effect', async () => {
    for (const control of CONTROLS) {
      const before = received();
      const inject = control.frameIn?.toString('hex');
      const verdict = await harness.run(
        control.name,
        control.command,
        expectedOfControl(control),
        inject,
      );
      expect(verdict.problems, control.name).toEqual([]);
      const after = received();
      const sent = { packets: after.packets - before.packets, bytes: after.bytes - before.bytes };
      expect(sent, `${control.name}: frames the guest sent out of the tap`).toEqual(
        control.frameOut === undefined
          ? { packets: 0, bytes: 0 }
          : { packets: 1, bytes: control.frameOut },
      );
    }
  });

  it.each(GROUPS)(
    '%s: every attempt ends with its signal and leaves no trace',
    async (group) => {
      const mine = attempts.filter((a) => a.group === group);
      const verdicts = await pool(mine, WIDTH, (a) =>
        harness.run(a.name, a.command, expectedOf(a)),
      );
      const failures: string[] = [];
      for (const [i, verdict] of verdicts.entries()) {
        const attempt = mine[i] as Attempt;
        contained.set(attempt.name, verdict.problems.length === 0);
        if (attempt.exemptNr !== undefined && verdict.run.status !== STATUS[attempt.expect])
          exemptEndings.push(`${attempt.name} (status ${verdict.run.status})`);
        if (verdict.problems.length > 0)
          failures.push(
            `${attempt.name} [expected ${attempt.expect}]: ${verdict.problems.join('; ')}` +
              (attempt.note ? ` (known: ${attempt.note})` : ''),
          );
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );

  it('N/N attempts contained', () => {
    const count = [...contained.values()].filter(Boolean).length;
    const sizes = GROUPS.map((g) => `${g} ${attempts.filter((a) => a.group === g).length}`);
    console.log(`attempts by group: ${sizes.join(', ')}; controls ${CONTROLS.length}`);
    console.log(`${count}/${attempts.length} attempts contained`);
    if (exemptEndings.length > 0)
      console.log(
        `of which ended by the kernel's seccomp exemption for uprobe syscalls, not by the filter, with no trace: ${exemptEndings.join(', ')}`,
      );
    const escaped = [...contained].filter(([, ok]) => !ok).map(([name]) => name);
    if (escaped.length > 0) console.log(`not contained: ${escaped.join(', ')}`);
    expect(contained.size).toBe(attempts.length); // every attempt ran
    expect(count).toBe(attempts.length);
    // Nothing runs now: the test process holds exactly the descriptors it had at the start.
    expect(harness.strayDescriptors()).toEqual([]);
    // And no process of any run is left, wherever it went.
    expect(processesTagged(harness.tagPrefix)).toEqual([]);
  });
});
