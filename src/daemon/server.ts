// server.ts: the API's HTTP/1.1 server: every connection's peer credentials checked, each request matched to a route, validated, answered in JSON.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { NablaError } from '../errors.js';
import { peerCredentials } from '../native/index.js';
import { errorAnswer } from './http-error.js';
import { type Access, refusal } from './peer.js';
import { ROUTES, type Route } from './routes.js';
import { parseRequest } from './schema.js';
import type { Supervisor } from './supervisor.js';

/** A request body larger than this is refused (a create is a few hundred bytes). */
const BODY_MAX = 1024 * 1024;
/** A refused client that sends no request is disconnected after this long. */
const REFUSED_TIMEOUT_MS = 10_000;

/** A route's path as a matcher: `{name}` takes one segment. */
function matcher(route: Route): RegExp {
  const pattern = route.path.replace(/\{([a-z]+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

const MATCHERS = ROUTES.map((route) => ({ route, regex: matcher(route) }));

/** The route for a method and path, with its parameters, or ROUTE_UNKNOWN. */
export function findRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } {
  for (const { route, regex } of MATCHERS) {
    const m = regex.exec(path);
    if (m && route.method === method) {
      const params: Record<string, string> = {};
      try {
        for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
      } catch {
        break; // a malformed %-escape names nothing
      }
      return { route, params };
    }
  }
  throw new NablaError(`no route for ${method} ${path}`, { code: 'ROUTE_UNKNOWN' });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_MAX) {
        reject(new NablaError(`Invalid body: over ${BODY_MAX} bytes`, { code: 'REQUEST_INVALID' }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new NablaError('Invalid body: not JSON', { code: 'REQUEST_INVALID' });
  }
}

function answerJson(res: ServerResponse, status: number, json?: unknown): void {
  if (json === undefined) {
    res.writeHead(status).end();
    return;
  }
  const body = `${JSON.stringify(json)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export interface ApiServerOptions {
  supervisor: Supervisor;
  access: Access;
  version: string;
  /** Resolves once the daemon has reconciled: requests wait for it. */
  ready: Promise<void>;
  log(message: string): void;
}

/** The socket's descriptor, as libuv holds it (Node has no public accessor). */
function fdOf(socket: Socket): number {
  return (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
}

export function createApiServer(options: ApiServerOptions): Server {
  const refused = new WeakMap<Socket, NablaError>();

  const server = createServer(async (req, res) => {
    const denied = refused.get(req.socket);
    if (denied !== undefined) {
      res.setHeader('Connection', 'close');
      const { status, body } = errorAnswer(denied);
      answerJson(res, status, body);
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://nabla');
      const { route, params } = findRoute(req.method ?? '', url.pathname);
      const query = parseRequest(route.query, Object.fromEntries(url.searchParams), 'query');
      const text = await readBody(req);
      const body = route.body ? parseRequest(route.body, parseJson(text), 'body') : undefined;
      await options.ready;
      const answer = await route.handle({
        params,
        query,
        body,
        req,
        res,
        supervisor: options.supervisor,
        version: options.version,
      });
      if (answer !== 'streamed') answerJson(res, answer.status, answer.json);
    } catch (error) {
      const { status, body } = errorAnswer(error);
      if (status >= 500) options.log(`${req.method} ${req.url}: ${body.error.message}`);
      if (!res.headersSent) answerJson(res, status, body);
      else res.end();
    }
  });

  server.on('connection', (socket: Socket) => {
    let denied: NablaError | null;
    try {
      denied = refusal(peerCredentials(fdOf(socket)), options.access);
    } catch (error) {
      denied = new NablaError(`cannot read the client's credentials: ${(error as Error).message}`, {
        code: 'DAEMON_FORBIDDEN',
      });
    }
    if (denied === null) return;
    refused.set(socket, denied);
    socket.setTimeout(REFUSED_TIMEOUT_MS, () => socket.destroy());
    options.log(denied.message);
  });
  return server;
}
