// oci.ts: bundles for nabla-oci (config.json and a rootfs holding a unikernel), and nabla-oci run as containerd's shim runs it.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll } from 'vitest';
import { NABLA_OCI } from './paths.js';

export interface Bundle {
  dir: string;
  /** The unikernel's path inside the container: process.args[0]. */
  kernel: string;
}

/** A bundle under `dir` holding `kernel` at the rootfs' top; `config` is merged into the spec. */
export function makeBundle(
  dir: string,
  kernel: string,
  args: string[] = [],
  config: Record<string, unknown> = {},
): Bundle {
  mkdirSync(join(dir, 'rootfs'), { recursive: true });
  const inside = `/${basename(kernel)}`;
  copyFileSync(kernel, join(dir, 'rootfs', inside));
  const { process: proc = {}, ...rest } = config as { process?: Record<string, unknown> };
  const spec = {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    process: { args: [inside, ...args], env: ['PATH=/usr/bin:/bin'], cwd: '/', ...proc },
    ...rest,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
  return { dir, kernel: inside };
}

export interface OciResult {
  status: number;
  stdout: string;
  /** The lines nabla-oci appended to --log during this call, parsed. */
  log: Array<{ level: string; msg: string }>;
}

/**
 * `nabla-oci --root ROOT --log LOG --log-format json ARGS`, as go-runc calls it. The runtime's
 * stdout and stderr (and so a created container's) go to `console` when given (create: else
 * /dev/null).
 */
export function oci(root: string, args: readonly string[], console?: string): OciResult {
  const logFile = join(root, '..', `${basename(root)}.log.json`);
  const before = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
  // A created container keeps the runtime's stdio: a pipe would hold spawnSync until it ends.
  const target = console ?? (args.includes('create') ? '/dev/null' : undefined);
  const out = target ? openSync(target, 'a') : undefined;
  try {
    const r = spawnSync(
      process.execPath,
      [NABLA_OCI, '--root', root, '--log', logFile, '--log-format', 'json', ...args],
      {
        encoding: 'utf8',
        timeout: 20_000,
        stdio: ['ignore', out === undefined ? 'pipe' : out, out === undefined ? 'pipe' : out],
      },
    );
    if (r.error) throw r.error;
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(before) : '';
    const log = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', log };
  } finally {
    if (out !== undefined) closeSync(out);
  }
}

/** The one error line of a failed call (and that it is the only one). */
export function errorOf(result: OciResult): string {
  const errors = result.log.filter((l) => l.level === 'error');
  if (result.status === 0 || errors.length !== 1)
    throw new Error(
      `expected one error and a failure, got status ${result.status}: ${JSON.stringify(result.log)}`,
    );
  return (errors[0] as { msg: string }).msg;
}

/** Waits until `check` holds, polling every 20 ms, up to `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/**
 * Call at the top of a test file whose roots are `root*` under `dir`: after its tests, every
 * container still there (a failed test's) is deleted with --force, so no guest, holder or group
 * outlives the file.
 */
export function deleteContainersAfterAll(dir: string): void {
  afterAll(() => {
    const roots = readdirSync(dir, { withFileTypes: true }).filter(
      (e) => e.isDirectory() && e.name.startsWith('root'),
    );
    for (const { name } of roots) {
      const root = join(dir, name);
      for (const id of readdirSync(root)) oci(root, ['delete', '--force', id]);
    }
  });
}
