// config.ts: reads a bundle's config.json (OCI runtime spec), defensively, keeping only the fields nabla-oci maps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ociError } from './errors.js';

const text = z.string();
const mount = z.looseObject({
  destination: text,
  source: text.optional(),
  type: text.optional(),
  options: z.array(text).optional(),
});
const namespace = z.looseObject({ type: text, path: text.optional() });
const bytes = z.number().int();

/** The parts of the spec nabla-oci reads; anything else in the file is ignored (docs/oci.md §2). */
const SPEC = z.looseObject({
  ociVersion: text.optional(),
  root: z.looseObject({ path: text, readonly: z.boolean().optional() }),
  process: z.looseObject({
    terminal: z.boolean().optional(),
    args: z.array(text).min(1),
    env: z.array(text).optional(),
    cwd: text.optional(),
    user: z.looseObject({ uid: z.number().int().min(0), gid: z.number().int().min(0) }).optional(),
  }),
  mounts: z.array(mount).optional(),
  annotations: z.record(text, text).optional(),
  linux: z
    .looseObject({
      cgroupsPath: text.optional(),
      namespaces: z.array(namespace).optional(),
      resources: z
        .looseObject({
          memory: z.looseObject({ limit: bytes.optional() }).optional(),
          cpu: z
            .looseObject({ quota: bytes.optional(), period: bytes.min(0).optional() })
            .optional(),
          pids: z.looseObject({ limit: bytes.optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});

export type OciSpec = z.infer<typeof SPEC>;
export type OciMount = z.infer<typeof mount>;

/** The first problem zod found, as "process.args: ..." for the one log line. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'the file';
  return `${where}: ${issue.message}`;
}

export function readSpec(bundle: string): OciSpec {
  const file = join(bundle, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? 'not JSON' : (error as Error).message;
    throw ociError(`${file}: cannot be read: ${why}`);
  }
  const parsed = SPEC.safeParse(raw);
  if (!parsed.success) throw ociError(`${file}: ${firstIssue(parsed.error)}`);
  return parsed.data;
}
