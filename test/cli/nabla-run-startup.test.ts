// nabla-run-startup.test.ts: what nabla-run's start-up loads: CommonJS, no ES-module loader, no streams, V8's cache.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, NABLA_RUN, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/** Runs `node -e CODE` in `cwd` and returns its stdout; the code requires bin/nabla-run.js there. */
function nodeEval(code: string, cwd = ROOT): string {
  const r = spawnSync(process.execPath, ['-e', code], { cwd, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

const CACHE_STATE = `const r = require('./bin/nabla-run.js').loadBundle(); console.log(r.cache, typeof r.main)`;

/** A copy of bin/, the bundle and the cache script, to spoil the cache without touching the build. */
function copyOfEntry(): string {
  const root = join(scratch.dir, 'entry');
  for (const dir of ['bin', 'dist/cli', 'scripts']) mkdirSync(join(root, dir), { recursive: true });
  for (const file of [
    'package.json',
    'bin/nabla-run.js',
    'bin/cached-bundle.js',
    'bin/package.json',
    'dist/cli/nabla-run.bundle.cjs',
    'scripts/code-cache.mjs',
  ]) {
    copyFileSync(join(ROOT, file), join(root, file));
  }
  // The cache records the bundle's mtime, which the copy does not keep: make the copy's own.
  const r = spawnSync(process.execPath, [join(root, 'scripts/code-cache.mjs')], {
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return root;
}

describe('nabla-run start-up', () => {
  it('boots hello having loaded no ES-module loader and no streams by the time it execs the tender', () => {
    const record = join(scratch.dir, 'builtins.json');
    const recorder = join(ROOT, 'test/helpers/record-builtins.cjs');
    const r = spawnSync(process.execPath, ['--require', recorder, NABLA_RUN, example('hello')], {
      encoding: 'utf8',
      env: { ...process.env, NABLA_TEST_BUILTINS: record },
    });
    expect(r.stdout).toContain('Hello, world!\n');
    expect(r.status).toBe(0);
    const loaded: string[] = JSON.parse(readFileSync(record, 'utf8'));
    expect(loaded).toContain('NativeModule internal/modules/cjs/loader');
    // Each of these costs milliseconds that nabla-run does not need: the ES-module loader
    // (an ES entry point or node:module), and Node's streams (an ES import of node:fs).
    for (const name of [
      'internal/modules/esm/loader',
      'internal/modules/esm/translators',
      'internal/fs/streams',
      'stream',
    ]) {
      expect(loaded).not.toContain(`NativeModule ${name}`);
    }
  });

  it('compiles the bundle from the V8 code cache that the build wrote', () => {
    expect(nodeEval(CACHE_STATE)).toBe('used function');
  });

  it('compiles from source when the cache is stale, absent or refused, and runs the same', () => {
    const root = copyOfEntry();
    expect(nodeEval(CACHE_STATE, root)).toBe('used function');

    // Refused: V8 checks its own header; a damaged payload under the right stamp is rejected.
    const cache = join(root, 'dist/cli/nabla-run.bundle.v8cache');
    const data = readFileSync(cache);
    const damaged = Buffer.from(data);
    damaged.fill(0xa5, 16, 80);
    writeFileSync(cache, damaged);
    expect(nodeEval(CACHE_STATE, root)).toBe('rejected function');

    // Stale: the bundle changed after the cache was made (its size and mtime no longer match).
    writeFileSync(cache, data);
    const bundle = join(root, 'dist/cli/nabla-run.bundle.cjs');
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// changed\n`);
    expect(nodeEval(CACHE_STATE, root)).toBe('none function');

    // Absent, or too short to hold the stamp.
    writeFileSync(cache, Buffer.alloc(0));
    expect(nodeEval(CACHE_STATE, root)).toBe('none function');
    rmSync(cache);
    expect(nodeEval(CACHE_STATE, root)).toBe('none function');

    const version = spawnSync(process.execPath, [join(root, 'bin/nabla-run.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(version.stdout).toBe('nabla-run (nabla) version 0.1.0\nABI version 2\n');
    expect(version.status).toBe(0);
  });
});
