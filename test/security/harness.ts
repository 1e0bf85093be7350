// harness.ts: runs one escape attempt in a watched directory and lists every trace it left on the host.
import { closeSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchGuestViaEngine } from '../helpers/engine-launch.js';
import { type GuestRun, launchGuest, ownDescriptors } from '../helpers/guest-launch.js';
import { diffSnapshots, leftoverProcesses, snapshotDir } from '../helpers/host-trace.js';
import { BUILT } from '../helpers/paths.js';
import { CAPACITY } from './geometry.js';

export const ESCAPE_GUEST = join(BUILT.security, 'escape.nabla');

/** The disk image every run starts from: text, so a write of 'X's or zeros shows. */
export const DISK_IMAGE = Buffer.alloc(CAPACITY, 'nabla escape disk image. ');

/** Long enough for a loaded machine; a guest still running after it has escaped somehow. */
const RUN_TIMEOUT_MS = 10_000;

export interface Expected {
  /** Status as a shell sees it (159 SIGSYS, 139 SIGSEGV, 0 for a control). */
  status: number;
  /** Everything the guest must print, exactly (after --solo5:quiet, no banner). */
  stdout: string;
  /** The disk image afterwards. */
  disk: Buffer;
  /**
   * Other endings that also count as contained: only for the two numbers Linux lets past
   * every seccomp filter (attempts.ts, FILTER_EXEMPT), whose ending depends on the kernel.
   */
  or?: ReadonlyArray<{ status: number; stdout: string }>;
}

export interface Verdict {
  name: string;
  /** Empty when the run ended as expected and left nothing behind. */
  problems: string[];
  run: GuestRun;
}

export class EscapeHarness {
  private next = 0;
  /** Runs in flight → the descriptors this process holds for them (their output pipes). */
  private readonly inFlight = new Map<number, ReadonlySet<number>>();
  private baseline = new Map<number, string>();
  /** argv[0] of every run starts with this; each run adds its number. */
  readonly tagPrefix = `nabla-escape-${process.pid}-`;

  /**
   * root: a scratch directory for the watched directories. net: the guest's net device, a tap
   * in a namespace of the suite's own that only a process inside can attach: `wrap` gives the
   * command that attaches it at the tender's descriptor, with a frame waiting when `inject`
   * (hex) is given, and execs the tender; `placeholderFd` stands in for it in this process,
   * where prepare() needs a descriptor to name in the plan. With `engine`, runs start the way
   * run() does by default, from a template (test/helpers/engine-launch.ts), and the net device
   * is the real tap: `tap` attaches one (a frame waiting when `inject` is given) and hands this
   * process its descriptor.
   */
  constructor(
    readonly root: string,
    readonly net: {
      placeholderFd: number;
      wrap: (inject?: string) => string[];
      tap: (inject?: string) => number;
    },
    readonly engine = false,
  ) {}

  /** Call when nothing runs: what "no new descriptors" is measured against. */
  takeBaseline(): void {
    this.baseline = ownDescriptors();
  }

  /** Descriptors open now that are neither in the baseline nor held by a run in flight. */
  strayDescriptors(): string[] {
    const expected = new Set(this.baseline.keys());
    for (const held of this.inFlight.values()) for (const fd of held) expected.add(fd);
    return [...ownDescriptors()]
      .filter(([fd]) => !expected.has(fd))
      .map(([fd, target]) => `descriptor ${fd} -> ${target} appeared in the test process`);
  }

  async run(
    name: string,
    command: readonly string[],
    expected: Expected,
    inject?: string,
  ): Promise<Verdict> {
    const id = this.next++;
    const dir = join(this.root, `attempt-${id}`);
    const disk = join(dir, 'disk.img');
    mkdirSync(dir);
    writeFileSync(disk, DISK_IMAGE);
    const before = snapshotDir(dir);
    const tag = `${this.tagPrefix}${id}.`; // the dot: run 1's tag is no prefix of run 10's
    const spec = {
      kernel: ESCAPE_GUEST,
      args: ['--solo5:quiet', name, ...command.map((word) => word.replaceAll('{dir}', dir))],
      memMiB: 2,
      block: [{ name: 'storage', path: disk }],
      tag,
      cwd: dir,
      timeoutMs: RUN_TIMEOUT_MS,
    };
    let launched: { held: Set<number>; done: Promise<GuestRun>; group?: number };
    if (this.engine) {
      const tap = this.net.tap(inject);
      try {
        launched = launchGuestViaEngine({ ...spec, net: [{ name: 'net', fd: tap }] });
      } finally {
        closeSync(tap); // the template has its own copy
      }
      launched.held.delete(tap);
    } else {
      launched = launchGuest({
        ...spec,
        net: [{ name: 'net', fd: this.net.placeholderFd }],
        wrap: this.net.wrap(inject),
      });
    }
    this.inFlight.set(id, launched.held);
    let run: GuestRun;
    try {
      run = await launched.done;
    } finally {
      this.inFlight.delete(id);
    }

    const problems: string[] = [];
    if (run.timedOut) problems.push(`still running after ${RUN_TIMEOUT_MS} ms (killed)`);
    const ending = [expected, ...(expected.or ?? [])].find(
      (e) => e.status === run.status && e.stdout === run.stdout,
    );
    if (!ending) {
      if (run.status !== expected.status)
        problems.push(`status ${run.status}, expected ${expected.status}`);
      if (run.stdout !== expected.stdout)
        problems.push(
          `printed ${JSON.stringify(run.stdout)}, expected ${JSON.stringify(expected.stdout)}`,
        );
    }
    if (run.stderr !== '') problems.push(`stderr ${JSON.stringify(run.stderr)}`);
    // A template's guest started in the template's session; a spawned tender made its own.
    problems.push(
      ...leftoverProcesses(launched.group ?? run.pid, tag).map((p) => `process left: ${p}`),
    );
    problems.push(...this.strayDescriptors());

    // The directory as before; the image's times and bytes may change only by a legal write.
    const legalWrite = !expected.disk.equals(DISK_IMAGE);
    const after = snapshotDir(dir);
    problems.push(...diffSnapshots(before, after, new Set(legalWrite ? ['disk.img'] : [])));
    if (after.has('disk.img')) {
      const now = readFileSync(disk);
      if (now.length !== DISK_IMAGE.length)
        problems.push(`disk image is ${now.length} bytes, was ${DISK_IMAGE.length}`);
      else if (!now.equals(expected.disk)) problems.push('disk image contents changed');
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      problems.push(`cannot remove the watched directory: ${String(error)}`);
    }
    return { name, problems, run };
  }
}

/** Runs fn over items, at most `width` at a time; results in item order. */
export async function pool<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
