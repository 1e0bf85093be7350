// startup.test.ts: nabla-oci starts from one CommonJS bundle compiled from V8's code cache, as nabla-run does (the shim runs it several times per container).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.js';

describe('nabla-oci start-up', () => {
  it('loads the bundle with the code cache the build wrote', () => {
    const code = `const r = require('./bin/nabla-oci.js').loadBundle(); console.log(r.cache, typeof r.main)`;
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('used function');
  });
});
