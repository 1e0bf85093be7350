// engine.ts: the start engine: one template per image and option set, each asked for guests (docs/start-engine.md).
import { closeSync, openSync } from 'node:fs';
import type { PreparedLaunch } from '../launch/prepare.js';
import type { StdioMode } from '../launch/spawn.js';
import { pipeCloexec } from '../native/engine.js';
import { STARTED_ELF_FD, startedDeviceFd } from '../plan/layout.js';
import { type EngineGuest, PendingGuest } from './guest.js';
import type { ImageRequest } from './protocol.js';
import { type LaunchReply, Template, TemplateGone, type TemplateOptions } from './template.js';

export interface EngineOptions extends TemplateOptions {
  /** Templates kept at most; the least recently used is closed first (its guests go on). */
  maxTemplates?: number;
}

const DEFAULT_MAX_TEMPLATES = 16;

/** The guest's descriptors 0-2 for a stdio mode, and what this process keeps of them. */
interface Stdio {
  /** stdin, stdout, stderr as sent (copies go to the guest). */
  fds: [number, number, number];
  /** Read ends of the output pipes, kept here ('pipe' only). */
  output: { stdout: number; stderr: number } | null;
  /** Write ends to close once sent. */
  sent: number[];
}

/** What a template is made for: every LAUNCH it serves must say the same. */
function imageOf(prepared: PreparedLaunch): ImageRequest {
  const { user, namespaces } = prepared.privileges;
  return {
    memSize: prepared.request.memSize,
    xExecHeap: prepared.request.xExecHeap,
    user: user === 'keep' ? 'keep' : { uid: user.uid, gid: user.gid },
    namespaces,
    kernelPath: prepared.request.kernel,
  };
}

function templateKey(prepared: PreparedLaunch): string {
  const image = imageOf(prepared);
  const user = image.user === 'keep' ? 'keep' : `${image.user.uid}:${image.user.gid}`;
  return `${prepared.identity}/${image.memSize}/${image.xExecHeap}/${user}/${image.namespaces}`;
}

export class Engine {
  private readonly templates = new Map<string, Template>();
  private devNull = -1;

  constructor(private readonly options: EngineOptions = {}) {}

  /**
   * Asks the template of the prepared launch's image (started first if there is none) for a
   * guest, with the plan run() would give a spawned tender, and returns at once: the answer is
   * read from the event loop (or when the pid or kill() is wanted first). A refusal (NablaError
   * TENDER_FAILED) rejects the guest's `exited`, as a failed spawn does. The caller still owns
   * and releases `prepared` (the template has its own copies of the descriptors).
   */
  start(
    prepared: PreparedLaunch,
    stdio: StdioMode,
    timeoutMs?: number,
    cgroupFds: readonly number[] = [],
  ): EngineGuest {
    const plan = prepared.encodePlan({
      elfFd: STARTED_ELF_FD,
      deviceFds: prepared.devices.map((_, i) => startedDeviceFd(i)),
      supervisor: { pid: process.pid },
      // As a spawned tender finds them: after the devices (spawn.ts).
      cgroups: { firstFd: startedDeviceFd(prepared.devices.length), count: cgroupFds.length },
    });
    const io = this.stdio(stdio);
    let wait = (): void => {};
    let guest: PendingGuest | undefined;
    try {
      const pending = new PendingGuest(io.output, timeoutMs, () => wait());
      guest = pending;
      const fds = [...io.fds, ...prepared.devices.map((d) => d.fd), ...cgroupFds];
      const { template, seq } = this.launch(prepared, plan, fds, (reply) => pending.settle(reply));
      wait = () => template.waitFor(seq);
      return pending;
    } catch (error) {
      // The streams own the read ends once made: closing those under them would leave the
      // event loop polling closed descriptors.
      if (guest) guest.abandon();
      else if (io.output) for (const fd of [io.output.stdout, io.output.stderr]) closeSync(fd);
      throw error;
    } finally {
      for (const fd of io.sent) closeSync(fd);
    }
  }

  /** The templates running now, by key (tests, the benchmark). */
  get templateList(): readonly Template[] {
    return [...this.templates.values()];
  }

  /**
   * Closes every template; their guests go on, still supervised by this process. The
   * templates end on their own once their socket is closed: the promise resolves when they
   * have (and have been reaped), for a caller that must see no process of its own left.
   */
  close(): Promise<void> {
    const templates = [...this.templates.values()];
    for (const template of templates) template.close();
    this.templates.clear();
    if (this.devNull >= 0) closeSync(this.devNull);
    this.devNull = -1;
    return Promise.all(templates.map((t) => t.exited)).then(() => undefined);
  }

  /** One retry: a template that has ended since its last use is replaced once. */
  private launch(
    prepared: PreparedLaunch,
    plan: Buffer,
    fds: number[],
    settle: (reply: LaunchReply) => void,
  ): { template: Template; seq: bigint } {
    const key = templateKey(prepared);
    for (let attempt = 0; ; attempt++) {
      const template = this.template(key, prepared);
      try {
        return { template, seq: template.submit(plan, fds, settle) };
      } catch (error) {
        if (!(error instanceof TemplateGone) || attempt > 0) throw error;
        this.templates.delete(key);
      }
    }
  }

  private template(key: string, prepared: PreparedLaunch): Template {
    let template = this.templates.get(key);
    if (template && !template.alive) {
      template.close();
      template = undefined;
    }
    if (!template) template = new Template(imageOf(prepared), prepared.unikernel.fd, this.options);
    // Most recently used last; the first is the one to close when there are too many.
    this.templates.delete(key);
    this.templates.set(key, template);
    if (this.templates.size > (this.options.maxTemplates ?? DEFAULT_MAX_TEMPLATES)) {
      const [oldestKey, oldest] = this.templates.entries().next().value as [string, Template];
      oldest.close();
      this.templates.delete(oldestKey);
    }
    return template;
  }

  private stdio(mode: StdioMode): Stdio {
    if (this.devNull < 0) this.devNull = openSync('/dev/null', 'r+');
    if (mode === 'inherit') return { fds: [0, 1, 2], output: null, sent: [] };
    if (mode === 'ignore')
      return { fds: [this.devNull, this.devNull, this.devNull], output: null, sent: [] };
    const [outRead, outWrite] = pipeCloexec();
    let errPipe: [number, number];
    try {
      errPipe = pipeCloexec();
    } catch (error) {
      closeSync(outRead);
      closeSync(outWrite);
      throw error;
    }
    const [errRead, errWrite] = errPipe;
    return {
      fds: [this.devNull, outWrite, errWrite],
      output: { stdout: outRead, stderr: errRead },
      sent: [outWrite, errWrite],
    };
  }
}

let shared: Engine | undefined;

/** The engine run() uses (one per thread: a template's guests die with the thread that made it). */
export function defaultEngine(): Engine {
  shared ??= new Engine();
  return shared;
}
