// dial.ts: connects to a booting guest's TCP port, retrying with short attempts until it accepts or a deadline passes.
import { connect, type Socket } from 'node:net';

/** Where the guest's stack listens. */
export interface GuestAddress {
  address: string;
  port: number;
}

/*
 * A guest that is still booting either does not read its tap yet (the SYN is lost and the
 * kernel would retransmit it only after 1 s) or has not opened its listener (lwIP answers with
 * a reset). So each attempt is short: refused, unreachable or unanswered after `attemptMs`, the
 * socket is dropped and a fresh SYN goes out after a short pause. Once the orchestrator holds
 * the tap open, frames queue on it until the guest reads them, so a lost SYN is rare and a
 * refusal immediate. The attempt time grows (to 250 ms) so a loaded host still gets through, and a late SYN-ACK for a dropped attempt is answered by the
 * host's kernel with a reset, which frees the guest's half-open connection.
 */
const FIRST_ATTEMPT_MS = 20;
const MAX_ATTEMPT_MS = 250;
const PAUSE_MS = 5;

export interface DialOptions {
  /** Give up at this time (Date.now() clock). */
  deadline: number;
  /** Half-close support on the new socket (the proxy needs it). */
  allowHalfOpen?: boolean;
  /** Stops the retries early (the guest died): dial() rejects with this signal's reason. */
  signal?: AbortSignal;
}

/** One attempt: the connected socket, or undefined after an error or `ms` without an answer. */
function attempt(
  to: GuestAddress,
  ms: number,
  allowHalfOpen: boolean,
): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: to.address, port: to.port, allowHalfOpen, noDelay: true });
    // Kept for the socket's life: an error between here and the splice must not go unheard
    // (an 'error' event without a listener would end the daemon).
    socket.on('error', () => {});
    const done = (result: Socket | undefined) => {
      clearTimeout(timer);
      socket.off('connect', connected);
      socket.off('error', failed);
      if (result === undefined) socket.destroy();
      resolve(result);
    };
    const connected = () => done(socket);
    const failed = () => done(undefined);
    const timer = setTimeout(failed, ms);
    socket.once('connect', connected);
    socket.once('error', failed);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects to `to`, retrying until the deadline. Resolves with a connected socket; rejects
 * with an Error saying how long it tried (or the abort reason).
 */
export async function dial(to: GuestAddress, options: DialOptions): Promise<Socket> {
  const started = Date.now();
  let ms = FIRST_ATTEMPT_MS;
  let attempts = 0;
  for (;;) {
    if (options.signal?.aborted) throw options.signal.reason;
    const left = options.deadline - Date.now();
    if (left <= 0) break;
    attempts++;
    const socket = await attempt(to, Math.min(ms, left), options.allowHalfOpen ?? true);
    if (socket !== undefined) {
      if (!options.signal?.aborted) return socket;
      socket.destroy();
      throw options.signal.reason;
    }
    ms = Math.min(Math.ceil(ms * 1.5), MAX_ATTEMPT_MS);
    await pause(PAUSE_MS);
  }
  throw new Error(
    `${to.address}:${to.port} did not accept a connection within ${Date.now() - started} ms (${attempts} attempts)`,
  );
}
