// unit-setup.test.ts: the unit project's guard refuses the addon and the programs the build makes.
import { execFile, execSync, fork, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../src/native/binding.js';
import { ADDON_CANDIDATES, TENDER } from '../src/package/paths.js';
import { NABLA_RUN, ROOT } from './helpers/paths.js';

const MOVE =
  /: it needs the build: list its file in the integration project \(vitest\.config\.ts\)$/;

describe('unit project guard (test/unit-setup.ts)', () => {
  it('refuses to load the native addon, built or not', () => {
    expect(() => process.dlopen({ exports: {} }, ADDON_CANDIDATES[0] ?? '')).toThrow(
      /^unit test loaded the native addon .*\/build\/Release\/nabla_native\.node: it needs the build/,
    );
    // loadAddon tries a file only when it exists: any file stands in for a built addon.
    expect(() => loadAddon([NABLA_RUN])).toThrow(
      `${NABLA_RUN}: unit test loaded the native addon ${NABLA_RUN}: it needs the build`,
    );
  });

  it('refuses a program under build/, and Node running a script under bin/ or dist/', async () => {
    expect(() => spawnSync(TENDER, [])).toThrow(MOVE);
    expect(() => spawn(TENDER)).toThrow(MOVE);
    expect(() => spawnSync(process.execPath, [NABLA_RUN, '--version'])).toThrow(MOVE);
    expect(() => fork(join(ROOT, 'dist/cli/nabla.js'))).toThrow(MOVE);
    expect(() => execSync(`node ${NABLA_RUN} --version`)).toThrow(MOVE);
    await expect(promisify(execFile)(TENDER, [])).rejects.toThrow(MOVE);
  });

  it('lets everything else run: Node, a compiler, a program writing into build/', () => {
    const node = spawnSync(process.execPath, ['-e', 'process.stdout.write("ok")'], {
      encoding: 'utf8',
    });
    expect(node.stdout).toBe('ok');
    const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
    expect(cc.status).toBe(0);
    const echo = spawnSync('echo', ['-o', join(ROOT, 'build/sdk/x.o')], { encoding: 'utf8' });
    expect(echo.stdout).toBe(`-o ${join(ROOT, 'build/sdk/x.o')}\n`);
  });
});
