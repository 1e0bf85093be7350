// openapi.ts: the API's OpenAPI 3.1 document, made from the route table and its zod schemas (docs/daemon-api.json is this, written by scripts/write-daemon-api.mjs).
import { z } from 'zod';
import { NAMED_SCHEMAS, type Response, ROUTES, type Route, type SchemaName } from './routes.js';
import { INSTANCE_NAME } from './schema.js';

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), without its own $schema. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

function content(response: Response): Json | undefined {
  const type = response.type ?? 'application/json';
  if (response.schema === undefined)
    return type === 'application/json' ? undefined : { [type]: { schema: { type: 'string' } } };
  const schema = Array.isArray(response.schema)
    ? { type: 'array', items: ref(response.schema[0]) }
    : ref(response.schema);
  return { [type]: { schema } };
}

function parameters(route: Route): Json[] {
  const path = [...route.path.matchAll(/\{([a-z]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    description: 'the instance name',
    schema: { type: 'string', pattern: INSTANCE_NAME.source },
  }));
  const query = Object.entries(route.query.shape).map(([name, schema]) => {
    const s = jsonSchema(schema as z.ZodType, 'input');
    const { description, ...rest } = s;
    return { name, in: 'query', required: false, description, schema: rest };
  });
  return [...path, ...query];
}

function operation(route: Route): Json {
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, r]) => {
      const c = content(r);
      return [
        status,
        c === undefined
          ? { description: r.description }
          : { description: r.description, content: c },
      ];
    }),
  );
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[/{}]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    responses: {
      ...responses,
      403: {
        description: 'the client may not use the daemon (DAEMON_FORBIDDEN)',
        content: { 'application/json': { schema: ref('Error') } },
      },
    },
  };
  const params = parameters(route);
  if (params.length > 0) op.parameters = params;
  if (route.body !== undefined)
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: ref('CreateRequest') } },
    };
  return op;
}

/** The whole document. */
export function openApiDocument(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Json)[route.method.toLowerCase()] = operation(route);
  }
  const schemas = Object.fromEntries(
    Object.entries(NAMED_SCHEMAS).map(([name, schema]) => [
      name,
      jsonSchema(schema, name === 'CreateRequest' ? 'input' : 'output'),
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'nabla daemon API',
      version,
      description:
        'HTTP/1.1 and JSON over the daemon\'s unix socket (curl --unix-socket SOCKET http://nabla/v1/...). Every error is {"error": {"code", "message"}} with a code from docs/errors.md. See docs/daemon.md.',
    },
    servers: [{ url: 'http://nabla', description: 'any host name: the socket decides' }],
    paths,
    components: { schemas },
  };
}
