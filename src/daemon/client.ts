// client.ts: the API as the CLI verbs call it: a request over the daemon's unix socket, its JSON error turned back into a NablaError.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { ErrorCode } from '../error-codes.js';
import { NablaError } from '../errors.js';

/** What a connection failure means for the user: no daemon there, or not allowed to reach it. */
function connectError(socket: string, error: NodeJS.ErrnoException): NablaError {
  if (error.code === 'EACCES' || error.code === 'EPERM')
    return new NablaError(
      `${socket}: permission denied (the daemon's socket is for root, its user and its --group)`,
      { code: 'DAEMON_FORBIDDEN' },
    );
  if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ENOTDIR')
    return new NablaError(`no daemon is listening on ${socket} (start one with: nabla daemon)`, {
      code: 'DAEMON_UNREACHABLE',
    });
  return new NablaError(`${socket}: cannot reach the daemon: ${error.message}`, {
    code: 'DAEMON_UNREACHABLE',
  });
}

/** Sends one request; resolves with the response, its body still to read. */
export function send(
  socket: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      {
        socketPath: socket,
        method,
        path,
        headers: payload === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      resolve,
    );
    req.once('error', (error: NodeJS.ErrnoException) => reject(connectError(socket, error)));
    req.end(payload);
  });
}

async function text(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let all = '';
  for await (const chunk of res) all += chunk as string;
  return all;
}

/** The daemon's error answer as a NablaError with its code and message. */
async function failure(res: IncomingMessage): Promise<NablaError> {
  const body = await text(res);
  try {
    const { error } = JSON.parse(body) as { error: { code: string; message: string } };
    return new NablaError(error.message, { code: error.code as ErrorCode });
  } catch {
    return new NablaError(`the daemon answered ${res.statusCode}: ${body.trim()}`, {
      code: 'INTERNAL',
    });
  }
}

/** A request whose answer is JSON (or nothing, for 204); a 4xx or 5xx answer throws. */
export async function call<T = unknown>(
  socket: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await send(socket, method, path, body);
  if ((res.statusCode ?? 500) >= 400) throw await failure(res);
  const answer = await text(res);
  return (answer === '' ? undefined : JSON.parse(answer)) as T;
}

/** A request whose answer is a stream: each chunk as text, until it ends (or the daemon goes). */
export async function stream(
  socket: string,
  path: string,
  onText: (text: string) => void,
): Promise<void> {
  const res = await send(socket, 'GET', path);
  if ((res.statusCode ?? 500) >= 400) throw await failure(res);
  res.setEncoding('utf8');
  for await (const chunk of res) onText(chunk as string);
}
