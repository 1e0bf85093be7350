// template.ts: one template process (nabla-spt --template): started for an image, then asked for guests.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, readSync } from 'node:fs';
import { bytesToText } from '../bytes.js';
import { NablaError } from '../errors.js';
import { tenderPath } from '../launch/tender-path.js';
import {
  pipeCloexec,
  type ReceivedMessage,
  receiveMessage,
  sendMessage,
  seqpacketPair,
  waitWritable,
} from '../native/engine.js';
import { NativeError } from '../native/errors.js';
import { setNonBlocking } from '../native/index.js';
import {
  decodeMessage,
  ENGINE_KIND,
  type EngineKind,
  encodeImage,
  encodeMessage,
  type ImageRequest,
} from './protocol.js';
import { offReadable, onReadable } from './watch.js';

/** How long a template may take to check and load an image (a large one is read whole). */
const IMAGE_TIMEOUT_MS = 60_000;
/** How long it may take to answer one LAUNCH (a clone and a reply): far more than it ever does. */
const LAUNCH_TIMEOUT_MS = 10_000;
/** How long a template that has ended may take to finish its last line on stderr. */
const STDERR_WAIT_MS = 2_000;
/** The template's number for its end of the socket. */
const SOCKET_CHILD_FD = 3;

/** The template has ended (or was closed) before the request was sent: another can take it. */
export class TemplateGone extends Error {}

export interface TemplateOptions {
  /** argv[0] of the template, and so of its guests in `ps` (default 'nabla-run'). */
  argv0?: string;
  /** Start it in a session of its own (tests find every process of its guests by it). */
  detached?: boolean;
  /** Its working directory, and so its guests' (default this process's). */
  cwd?: string;
}

export interface StartedGuest {
  pid: number;
  /** A pidfd of the guest, this process's to close (watchPidfd does). */
  pidfd: number;
}

/** The answer to one LAUNCH. */
export type LaunchReply = { started: StartedGuest } | { failed: Error };

interface Pending {
  seq: bigint;
  settle(reply: LaunchReply): void;
}

export class Template {
  readonly pid: number;
  private readonly child: ChildProcess;
  private sock: number;
  /** Resolves once the template process has ended and been reaped. */
  readonly exited: Promise<void>;
  private seq = 0n;
  private ended = false;
  /** LAUNCH requests sent and not yet answered, oldest first (answers come in order). */
  private readonly pending: Pending[] = [];

  /**
   * Starts a template and has it load the image from `elfFd` (the descriptor the launch's ELF
   * checks read); returns once it is ready. Throws NablaError with the tender's words if the
   * template refuses the image (the file changed since it was checked, say).
   */
  constructor(image: ImageRequest, elfFd: number, options: TemplateOptions = {}) {
    const [mine, theirs] = seqpacketPair();
    this.sock = mine;
    // Its stderr: the line a template that fails before it is ready prints (as a tender would).
    const [errRead, errWrite] = pipeCloexec();
    setNonBlocking(errRead);
    try {
      this.child = spawn(
        tenderPath(),
        ['--template', String(SOCKET_CHILD_FD), bytesToText(image.kernelPath)],
        {
          argv0: options.argv0 ?? 'nabla-run',
          env: {},
          stdio: ['ignore', 'ignore', errWrite, theirs],
          detached: options.detached ?? false,
          ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        },
      );
    } catch (error) {
      closeSync(mine);
      closeSync(errRead);
      throw error;
    } finally {
      closeSync(theirs);
      closeSync(errWrite);
    }
    // An idle template keeps nothing alive; it ends when this process does (PDEATHSIG).
    this.child.unref();
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => {
        this.ended = true;
        resolve();
      });
      this.child.once('error', () => {
        this.ended = true;
        resolve();
      });
    });
    this.pid = this.child.pid ?? -1;
    try {
      const seq = this.send(ENGINE_KIND.image, encodeImage(image), [elfFd]);
      const received = receiveMessage(this.sock, IMAGE_TIMEOUT_MS);
      if (received === undefined)
        throw failure(`engine: the template did not load the image in ${IMAGE_TIMEOUT_MS} ms`);
      if (received === null) throw new TemplateGone('ended');
      const reply = this.decode(received, seq);
      if ('failed' in reply) throw reply.failed;
      closeAll(received.fds);
    } catch (error) {
      // Ended before reading IMAGE (the send failed) or before answering it: its stderr says
      // why. It may close the socket before it writes that line, so read to the pipe's end
      // (its exit) before it is killed.
      const said =
        error instanceof TemplateGone ? firstLine(readToEnd(errRead, STDERR_WAIT_MS)) : '';
      this.kill();
      this.close();
      if (error instanceof TemplateGone)
        throw failure(`engine: the template ended before it was ready${said ? `: ${said}` : ''}`);
      throw error instanceof NablaError ? error : failure((error as Error).message);
    } finally {
      // Once ready it speaks only through the socket (a refusal carries its words).
      closeSync(errRead);
    }
  }

  /** Whether it can still be asked (not closed, not known to have ended). */
  get alive(): boolean {
    return !this.ended && this.sock >= 0;
  }

  /**
   * Sends one LAUNCH: the plan (as spawn.ts encodes it for a tender) with `fds`: stdin, stdout,
   * stderr and each device's descriptor in the plan's order (copies: the caller closes its
   * own). `settle` gets the answer later, from the event loop, or from waitFor(). Returns the
   * request's number. Throws TemplateGone when the template has ended: nothing was sent.
   */
  submit(plan: Buffer, fds: readonly number[], settle: (reply: LaunchReply) => void): bigint {
    const seq = this.send(ENGINE_KIND.launch, plan, fds);
    this.pending.push({ seq, settle });
    if (this.pending.length === 1) onReadable(this.sock, () => this.drain());
    return seq;
  }

  /** Reads answers, waiting for them, until request `seq` has its own. */
  waitFor(seq: bigint): void {
    while (this.pending.length > 0 && (this.pending[0] as Pending).seq <= seq)
      this.readOne(LAUNCH_TIMEOUT_MS);
  }

  /**
   * Closes our end: the template ends; guests it started go on. Answers still due are read
   * first: each carries a guest this process must reap.
   */
  close(): void {
    const last = this.pending.at(-1);
    if (last && this.sock >= 0) this.waitFor(last.seq);
    if (this.sock >= 0) closeSync(this.sock);
    this.sock = -1;
  }

  /** Kills the template (tests: a template that dies). Its guests go on. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Sends, reading answers while the socket is full; the request's number. */
  private send(kind: EngineKind, payload: Buffer, fds: readonly number[]): bigint {
    if (!this.alive) throw new TemplateGone('the template has ended');
    const seq = ++this.seq;
    const data = encodeMessage(kind, seq, fds.length, payload);
    try {
      while (!sendMessage(this.sock, data, fds)) {
        // Both sides blocked in send would wait for each other: take its answers first.
        if (this.pending.length > 0) this.readOne(LAUNCH_TIMEOUT_MS);
        else if (!waitWritable(this.sock, LAUNCH_TIMEOUT_MS)) this.timedOut();
      }
    } catch (error) {
      if (error instanceof NativeError && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) {
        this.gone('the template has ended');
        throw new TemplateGone('the template has ended');
      }
      throw error;
    }
    return seq;
  }

  /** Answers that have come, without waiting (from the event loop). */
  private drain(): void {
    while (this.pending.length > 0 && this.readOne(0));
  }

  /** Reads one answer, waiting up to timeoutMs; false when none came (with 0: none yet). */
  private readOne(timeoutMs: number): boolean {
    const received = receiveMessage(this.sock, timeoutMs);
    if (received === undefined) {
      if (timeoutMs > 0) this.timedOut();
      return false;
    }
    if (received === null) {
      this.gone(`the template (pid ${this.pid}) ended before it answered`);
      return false;
    }
    const head = this.pending[0];
    if (!head) {
      closeAll(received.fds);
      this.broken('an answer nobody asked for');
      return false;
    }
    let reply: LaunchReply;
    try {
      reply = this.decode(received, head.seq);
    } catch (error) {
      this.broken((error as Error).message.replace(/^engine: /, ''));
      return false;
    }
    this.pending.shift();
    if (this.pending.length === 0) offReadable(this.sock);
    head.settle(reply);
    return true;
  }

  /** One answer as a LaunchReply, checked against the request it must answer. */
  private decode(received: ReceivedMessage, seq: bigint): LaunchReply {
    const message = decodeMessage(received.data);
    if (received.truncated || message.seq !== seq) {
      closeAll(received.fds);
      throw failure(`engine: an answer to request ${message.seq} where ${seq} was due`);
    }
    if (message.kind === ENGINE_KIND.refused) {
      closeAll(received.fds);
      const text = message.payload.toString('utf8');
      return { failed: new NablaError(text.split('\n'), { code: 'TENDER_FAILED' }) };
    }
    const pidfd = received.fds[0];
    if (message.kind === ENGINE_KIND.ready && received.fds.length === 0)
      return { started: { pid: message.pid, pidfd: -1 } };
    if (message.kind !== ENGINE_KIND.started || pidfd === undefined || received.fds.length !== 1) {
      closeAll(received.fds);
      throw failure(`engine: answer of kind ${message.kind} with ${received.fds.length} fds`);
    }
    return { started: { pid: message.pid, pidfd } };
  }

  private timedOut(): never {
    this.kill();
    this.gone(`the template (pid ${this.pid}) did not answer`);
    throw failure(`engine: the template (pid ${this.pid}) did not answer in time`);
  }

  /** A protocol error: the template cannot be trusted with more. */
  private broken(why: string): void {
    this.kill();
    this.gone(`engine: ${why}`);
  }

  /** Ends it for good: every request still due fails, the socket is closed. */
  private gone(why: string): void {
    this.ended = true;
    if (this.pending.length > 0 && this.sock >= 0) offReadable(this.sock);
    for (const p of this.pending.splice(0))
      p.settle({ failed: new NablaError(why, { code: 'TENDER_FAILED' }) });
    if (this.sock >= 0) closeSync(this.sock);
    this.sock = -1;
  }
}

/** A start the engine could not make: the code a tender that cannot run gets. */
function failure(text: string): NablaError {
  return new NablaError(text, { code: 'TENDER_FAILED' });
}

/**
 * What a non-blocking pipe holds until its writers have all closed it (a template that has
 * failed exits at once), waiting up to `ms`; at most 64 KiB (a line is all that is wanted).
 */
function readToEnd(fd: number, ms: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + ms;
  for (let total = 0; total < 65536; ) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch {
      // EAGAIN: not ended yet
      if (performance.now() >= deadline) break;
      Atomics.wait(nap, 0, 0, 1);
      continue;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The first line, without the "nabla-run: " every tender line starts with. */
function firstLine(text: string): string {
  const [line = ''] = text.split('\n');
  return line.replace(/^[^:]*: /, '');
}

function closeAll(fds: readonly number[]): void {
  for (const fd of fds) closeSync(fd);
}
