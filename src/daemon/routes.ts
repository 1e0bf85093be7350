// routes.ts: the API's routes (/v1), each with its schemas and answers (the OpenAPI document is made from this table) and its handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import {
  CreateRequest,
  DeleteQuery,
  EmptyQuery,
  ErrorBody,
  Event,
  Instance,
  LogsQuery,
  Stats,
  StopQuery,
  Version,
} from './schema.js';

/** The schemas the OpenAPI document names (components/schemas), by name. */
export const NAMED_SCHEMAS = {
  CreateRequest,
  Instance,
  Version,
  Stats,
  Event,
  Error: ErrorBody,
} as const;
export type SchemaName = keyof typeof NAMED_SCHEMAS;

import type { Supervisor } from './supervisor.js';

export interface RouteContext {
  params: Record<string, string>;
  query: unknown;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
  supervisor: Supervisor;
  version: string;
}

/** A JSON answer (no body for 204), or 'streamed' when the handler wrote the answer itself. */
export type Answer = { status: number; json?: unknown } | 'streamed';

export interface Response {
  description: string;
  /** application/json (the default when a schema is given), or a text stream. */
  type?: 'application/json' | 'text/plain' | 'application/x-ndjson';
  /** Its schema by name; `[name]` for an array of them. */
  schema?: SchemaName | [SchemaName];
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** As OpenAPI writes it: /v1/instances/{name}. */
  path: string;
  summary: string;
  query: z.ZodObject;
  /** The request body's schema (CreateRequest is the only one; named in the document). */
  body?: typeof CreateRequest;
  responses: Record<number, Response>;
  handle(ctx: RouteContext): Promise<Answer>;
}

const error = (description: string): Response => ({ description, schema: 'Error' });
const NOT_FOUND = { 404: error('no instance of that name (INSTANCE_NOT_FOUND)') };
const BAD_QUERY = { 400: error('the query breaks its schema (REQUEST_INVALID)') };

/** Writes the head of a stream that stays open, at once, so the client knows it has begun. */
function openStream(res: ServerResponse, type: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.flushHeaders();
}

async function logs(ctx: RouteContext): Promise<Answer> {
  const { tail, follow } = ctx.query as z.output<typeof LogsQuery>;
  const instance = ctx.supervisor.get(ctx.params.name as string);
  const lines = instance.ring.tail(tail);
  const text = lines.map((l) => `${l}\n`).join('');
  if (!follow) {
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    ctx.res.end(text);
    return 'streamed';
  }
  openStream(ctx.res, 'text/plain; charset=utf-8');
  if (text !== '') ctx.res.write(text);
  const stop = instance.ring.follow(
    (line) => ctx.res.write(`${line}\n`),
    () => ctx.res.end(),
  );
  ctx.res.once('close', stop);
  return 'streamed';
}

async function events(ctx: RouteContext): Promise<Answer> {
  openStream(ctx.res, 'application/x-ndjson');
  const stop = ctx.supervisor.events.subscribe((event) =>
    ctx.res.write(`${JSON.stringify(event)}\n`),
  );
  ctx.res.once('close', stop);
  return 'streamed';
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/version',
    summary: "The daemon's version and API version",
    query: EmptyQuery,
    responses: { 200: { description: 'the versions', schema: 'Version' } },
    handle: async (ctx) => ({ status: 200, json: { version: ctx.version, api: 'v1' } }),
  },
  {
    method: 'POST',
    path: '/v1/instances',
    summary:
      'Create an instance: its kernel and devices are checked first (nothing is recorded if they fail), then it is recorded and, unless start is false, started',
    query: EmptyQuery,
    body: CreateRequest,
    responses: {
      201: { description: 'created (and started)', schema: 'Instance' },
      400: error('the body breaks the schema (REQUEST_INVALID, naming the field)'),
      409: error('an instance of that name exists (INSTANCE_EXISTS)'),
      422: error("the kernel or a device fails run()'s checks (its code: ELF_INVALID, ...)"),
      500: error('the guest could not be started (TENDER_FAILED); the instance is recorded'),
    },
    handle: async (ctx) => {
      const { start, ...config } = ctx.body as z.output<typeof CreateRequest>;
      const instance = await ctx.supervisor.create(config, start);
      return { status: 201, json: instance.toJSON() };
    },
  },
  {
    method: 'GET',
    path: '/v1/instances',
    summary: 'Every instance, oldest first',
    query: EmptyQuery,
    responses: { 200: { description: 'the instances', schema: ['Instance'] } },
    handle: async (ctx) => ({
      status: 200,
      json: ctx.supervisor.list().map((i) => i.toJSON()),
    }),
  },
  {
    method: 'GET',
    path: '/v1/instances/{name}',
    summary: 'One instance',
    query: EmptyQuery,
    responses: { 200: { description: 'the instance', schema: 'Instance' }, ...NOT_FOUND },
    handle: async (ctx) => ({
      status: 200,
      json: ctx.supervisor.get(ctx.params.name as string).toJSON(),
    }),
  },
  {
    method: 'DELETE',
    path: '/v1/instances/{name}',
    summary: 'Remove an instance, its record and its console',
    query: DeleteQuery,
    responses: {
      204: { description: 'removed' },
      ...BAD_QUERY,
      ...NOT_FOUND,
      409: error('the guest runs and force is not true (INSTANCE_STATE)'),
    },
    handle: async (ctx) => {
      const { force } = ctx.query as z.output<typeof DeleteQuery>;
      await ctx.supervisor.remove(ctx.params.name as string, force ?? false);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/v1/instances/{name}/start',
    summary: 'Start the guest of a stopped or exited instance (a new restart history)',
    query: EmptyQuery,
    responses: {
      200: { description: 'the instance, started', schema: 'Instance' },
      ...NOT_FOUND,
      409: error('the guest runs already (INSTANCE_STATE)'),
      422: error("the kernel or a device now fails run()'s checks"),
    },
    handle: async (ctx) => ({
      status: 200,
      json: (await ctx.supervisor.start(ctx.params.name as string)).toJSON(),
    }),
  },
  {
    method: 'POST',
    path: '/v1/instances/{name}/stop',
    summary: 'Stop the guest: SIGTERM, then SIGKILL after timeout seconds; it is not restarted',
    query: StopQuery,
    responses: {
      200: { description: 'the instance, stopped', schema: 'Instance' },
      ...BAD_QUERY,
      ...NOT_FOUND,
    },
    handle: async (ctx) => {
      const { timeout } = ctx.query as z.output<typeof StopQuery>;
      const ms = timeout === undefined ? undefined : timeout * 1000;
      return {
        status: 200,
        json: (await ctx.supervisor.stop(ctx.params.name as string, ms)).toJSON(),
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/instances/{name}/logs',
    summary:
      "The guest's console (stdout and stderr), a line each; with follow, a stream that stays open",
    query: LogsQuery,
    responses: {
      200: { description: 'the lines', type: 'text/plain' },
      ...BAD_QUERY,
      ...NOT_FOUND,
    },
    handle: logs,
  },
  {
    method: 'GET',
    path: '/v1/instances/{name}/stats',
    summary: 'CPU time and memory of the running guest (and what plug-ins add)',
    query: EmptyQuery,
    responses: { 200: { description: 'the figures', schema: 'Stats' }, ...NOT_FOUND },
    handle: async (ctx) => ({
      status: 200,
      json: await ctx.supervisor.stats(ctx.params.name as string),
    }),
  },
  {
    method: 'GET',
    path: '/v1/events',
    summary: 'What happens to the instances, one JSON object per line, as it happens',
    query: EmptyQuery,
    responses: {
      200: { description: 'the event stream', type: 'application/x-ndjson', schema: 'Event' },
    },
    handle: events,
  },
];
