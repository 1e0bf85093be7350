// template.ts: one template process (nabla-spt --template): started for an image, then asked for guests.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { bytesToText } from '../bytes.js';
import { NablaError } from '../errors.js';
import { tenderPath } from '../launch/tender-path.js';
import { receiveMessage, sendMessage, seqpacketPair } from '../native/engine.js';
import { NativeError } from '../native/errors.js';
import {
  decodeMessage,
  ENGINE_KIND,
  type EngineKind,
  type EngineMessage,
  encodeImage,
  encodeMessage,
  type ImageRequest,
} from './protocol.js';

/** How long a template may take to check and load an image (a large one is read whole). */
const IMAGE_TIMEOUT_MS = 60_000;
/** How long it may take to start one guest (a clone and a reply): far more than it ever does. */
const LAUNCH_TIMEOUT_MS = 10_000;
/** The template's number for its end of the socket. */
const SOCKET_CHILD_FD = 3;

/** The template ended (or was closed): a new one can take its place. */
export class TemplateGone extends Error {}

export interface TemplateOptions {
  /** argv[0] of the template, and so of its guests in `ps` (default 'nabla-run'). */
  argv0?: string;
  /** Start it in a session of its own (tests find every process of its guests by it). */
  detached?: boolean;
}

export interface StartedGuest {
  pid: number;
  /** A pidfd of the guest, this process's to close (watchPidfd does). */
  pidfd: number;
}

export class Template {
  readonly pid: number;
  private readonly child: ChildProcess;
  private sock: number;
  private seq = 0n;
  private ended = false;

  /**
   * Starts a template and has it load the image from `elfFd` (the descriptor the launch's ELF
   * checks read); returns once it is ready. Throws NablaError with the tender's words if the
   * template refuses the image (the file changed since it was checked, say).
   */
  constructor(image: ImageRequest, elfFd: number, options: TemplateOptions = {}) {
    const [mine, theirs] = seqpacketPair();
    this.sock = mine;
    try {
      this.child = spawn(
        tenderPath(),
        ['--template', String(SOCKET_CHILD_FD), bytesToText(image.kernelPath)],
        {
          argv0: options.argv0 ?? 'nabla-run',
          env: {},
          stdio: ['ignore', 'ignore', 'ignore', theirs],
          detached: options.detached ?? false,
        },
      );
    } catch (error) {
      closeSync(mine);
      throw error;
    } finally {
      closeSync(theirs);
    }
    // An idle template keeps nothing alive; it ends when this process does (PDEATHSIG).
    this.child.unref();
    this.child.once('exit', () => {
      this.ended = true;
    });
    this.child.once('error', () => {
      this.ended = true;
    });
    this.pid = this.child.pid ?? -1;
    try {
      const reply = this.request(ENGINE_KIND.image, encodeImage(image), [elfFd], IMAGE_TIMEOUT_MS);
      if (reply.message.kind !== ENGINE_KIND.ready)
        throw new Error(`engine: IMAGE answered with kind ${reply.message.kind}`);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Whether it can still be asked (not closed, not known to have ended). */
  get alive(): boolean {
    return !this.ended && this.sock >= 0;
  }

  /**
   * Starts one guest from the plan (as spawn.ts encodes it for a tender) with `fds`: stdin,
   * stdout, stderr and each device's descriptor, in the plan's order. Throws TemplateGone if the
   * template has ended, NablaError (TENDER_FAILED) if it refused the plan.
   */
  launch(plan: Buffer, fds: readonly number[]): StartedGuest {
    const { message, fds: got } = this.request(ENGINE_KIND.launch, plan, fds, LAUNCH_TIMEOUT_MS);
    const pidfd = got[0];
    if (message.kind !== ENGINE_KIND.started || pidfd === undefined || got.length !== 1) {
      for (const fd of got) closeSync(fd);
      throw new Error(`engine: LAUNCH answered with kind ${message.kind} and ${got.length} fds`);
    }
    return { pid: message.pid, pidfd };
  }

  /** Closes our end: the template ends; guests it started go on. */
  close(): void {
    if (this.sock >= 0) closeSync(this.sock);
    this.sock = -1;
  }

  /** Kills the template (tests: a template that dies). Its guests go on. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  private request(
    kind: EngineKind,
    payload: Buffer,
    fds: readonly number[],
    timeoutMs: number,
  ): { message: EngineMessage; fds: number[] } {
    if (!this.alive) throw new TemplateGone('the template has ended');
    const seq = ++this.seq;
    let received: ReturnType<typeof receiveMessage>;
    try {
      sendMessage(this.sock, encodeMessage(kind, seq, fds.length, payload), fds);
      received = receiveMessage(this.sock, timeoutMs);
    } catch (error) {
      if (error instanceof NativeError && error.code === 'ETIMEDOUT') {
        this.kill();
        this.close();
        throw new Error(`engine: the template (pid ${this.pid}) did not answer in ${timeoutMs} ms`);
      }
      if (error instanceof NativeError && (error.code === 'EPIPE' || error.code === 'ECONNRESET')) {
        this.close();
        throw new TemplateGone('the template has ended');
      }
      throw error;
    }
    if (received === null) {
      this.close();
      throw new TemplateGone('the template has ended');
    }
    const message = decodeMessage(received.data);
    if (received.truncated || message.seq !== seq) {
      for (const fd of received.fds) closeSync(fd);
      this.kill();
      this.close();
      throw new Error(`engine: a reply to request ${seq} was ${message.seq} or cut short`);
    }
    if (message.kind === ENGINE_KIND.refused) {
      for (const fd of received.fds) closeSync(fd);
      const text = message.payload.toString('utf8');
      throw new NablaError(text.split('\n'), { code: 'TENDER_FAILED' });
    }
    return { message, fds: received.fds };
  }
}
