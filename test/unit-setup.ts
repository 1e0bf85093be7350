// unit-setup.ts: the unit project's guard: no test in it may load the addon or run anything the build makes.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { promisify } from 'node:util';
import { packagePath } from '../src/package/paths.js';

/*
 * Unit tests run in a fresh clone without `npm run build` (README: `npm run test:unit`). In a
 * built tree a test that needs the build would pass here and fail there, so this makes it fail
 * here too, naming what it reached for: the native addon (even though `npm ci` builds it), or a
 * program under build/, dist/ or bin/ (the tender, its tools, the guests, the CLIs).
 */
const BUILT = ['build/', 'dist/', 'bin/'].map((dir) => packagePath(dir));
const MOVE = 'it needs the build: list its file in the integration project (vitest.config.ts)';

process.dlopen = (_module: object, filename: string) => {
  throw new Error(`unit test loaded the native addon ${filename}: ${MOVE}`);
};

/** Refuses a program under build/, dist/ or bin/, or Node running a script there. */
function refuseBuilt(name: string, args: unknown[]): void {
  const [first, second] = args;
  // exec and execSync take one shell command; the others a file and an argument list.
  const words =
    name.startsWith('exec') && !name.startsWith('execFile')
      ? String(first).split(/\s+/)
      : [String(first), ...(Array.isArray(second) ? second.map(String) : [])];
  const isBuilt = (word: string) => BUILT.some((dir) => word.startsWith(dir));
  const program = words[0] ?? '';
  const node = program === process.execPath || /(^|\/)node$/.test(program) || name === 'fork';
  const reached = isBuilt(program) ? program : node ? words.find(isBuilt) : undefined;
  if (reached !== undefined) throw new Error(`unit test ran ${reached}: ${MOVE}`);
}

// node:child_process is CommonJS underneath; its ES facade follows after syncBuiltinESMExports().
const childProcess = createRequire(import.meta.url)('node:child_process');
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = childProcess[name];
  function guarded(this: unknown, ...args: unknown[]): unknown {
    refuseBuilt(name, args);
    return original.apply(this, args);
  }
  // util.promisify(execFile) and exec use a custom promisified form: guard that one too.
  const custom = original[promisify.custom];
  if (custom !== undefined) {
    Object.defineProperty(guarded, promisify.custom, {
      value: (...args: unknown[]) => {
        try {
          refuseBuilt(name, args);
        } catch (error) {
          return Promise.reject(error);
        }
        return custom(...args); // the original's promise, with its .child
      },
    });
  }
  childProcess[name] = guarded;
}
syncBuiltinESMExports();
