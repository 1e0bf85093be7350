// openapi.test.ts: docs/daemon-api.json is the route table's document, up to date; the daemon serves every route it lists and no other; its schemas take and refuse what the API's zod schemas do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/daemon/openapi.js';
import { ROUTES } from '../../src/daemon/routes.js';
import { CreateRequest, Instance } from '../../src/daemon/schema.js';
import { benchGuest } from '../../src/package/paths.js';
import { type DaemonProcess, startDaemon } from '../helpers/daemon.js';
import { ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const DOC_PATH = join(ROOT, 'docs', 'daemon-api.json');
const doc = JSON.parse(readFileSync(DOC_PATH, 'utf8'));
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

/** "GET /v1/instances/{name}" for each operation of the document. */
const documented = () =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();

describe('docs/daemon-api.json', () => {
  it("is the route table's document, up to date (node scripts/write-daemon-api.mjs)", () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument(version))));
    expect(doc.openapi).toBe('3.1.0');
  });

  it('lists exactly the routes of the router', () => {
    expect(documented()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    expect(documented()).toHaveLength(10);
  });

  it('has request and response schemas that agree with zod on examples', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas))
      ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    const create = ajv.compile(doc.components.schemas.CreateRequest);
    const good = [
      { name: 'web', kernel: '/srv/app.nabla' },
      {
        name: 'w.1',
        kernel: '/a',
        args: ['x'],
        memory: 64,
        block: { storage: '/d.img' },
        net: { service: 'tap0' },
        restart: 'always',
        limits: { memory: 1 << 26, cpu: 0.5, pids: 4 },
        summon: { listen: 'tcp:8080', idleSeconds: 30, port: 80 },
        start: false,
      },
    ];
    const bad = [
      { kernel: '/a' },
      { name: 'Web', kernel: '/a' },
      { name: 'w', kernel: '/a', extra: 1 },
      { name: 'w', kernel: '/a', memory: 1.5 },
      { name: 'w', kernel: '/a', restart: 'sometimes' },
      { name: 'w', kernel: '/a', limits: { cpu: 0 } },
      {
        name: 'w',
        kernel: '/a',
        summon: { listen: 'udp:53', idleSeconds: 1, port: 1 },
      },
    ];
    for (const body of good) {
      expect(create(body), JSON.stringify(create.errors)).toBe(true);
      expect(CreateRequest.safeParse(body).success).toBe(true);
    }
    for (const body of bad) {
      expect(create(body), JSON.stringify(body)).toBe(false);
      expect(CreateRequest.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
    // An instance as the daemon answers it fits the document's Instance.
    const instance = Instance.parse({
      name: 'web',
      state: 'running',
      pid: 7,
      exit: null,
      restarts: 0,
      config: CreateRequest.omit({ start: true }).parse(good[0]),
      createdAt: 'x',
      startedAt: null,
      finishedAt: null,
    });
    expect(
      ajv.validate(doc.components.schemas.Instance, instance),
      JSON.stringify(ajv.errors),
    ).toBe(true);
  });
});

describe('the daemon serves the document', () => {
  let daemon: DaemonProcess;
  beforeAll(async () => {
    daemon = await startDaemon(scratch.dir);
    await daemon.api('POST', '/v1/instances', {
      name: 'doc',
      kernel: benchGuest('idle'),
      start: false,
    });
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it('answers every documented route, with a status the document lists', async () => {
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        const concrete = path.replace('{name}', 'doc');
        if (method === 'delete' || concrete.endsWith('/events') || concrete.includes('follow'))
          continue;
        const r = await daemon.api(
          method.toUpperCase(),
          concrete,
          method === 'post' && path === '/v1/instances' ? {} : undefined,
        );
        expect(r.json?.error?.code, `${method} ${path}`).not.toBe('ROUTE_UNKNOWN');
        expect(Object.keys(op.responses), `${method} ${path}: ${r.status}`).toContain(
          String(r.status),
        );
      }
    }
    const removed = await daemon.api('DELETE', '/v1/instances/doc');
    expect(Object.keys(doc.paths['/v1/instances/{name}'].delete.responses)).toContain(
      String(removed.status),
    );
  });

  it('answers any other method or path with 404 ROUTE_UNKNOWN', async () => {
    for (const [method, path] of [
      ['PUT', '/v1/instances'],
      ['GET', '/v1'],
      ['GET', '/v1/instances/doc/console'],
      ['POST', '/v1/version'],
    ]) {
      const r = await daemon.api(method as string, path as string);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.json.error.code).toBe('ROUTE_UNKNOWN');
    }
  });
});
