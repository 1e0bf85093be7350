// build.ts: compiles and links C sources into an spt unikernel with the host gcc and the nabla SDK.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readManifest } from './manifest.js';
import { generateNotesAssembly } from './notes.js';

const run = promisify(execFile);

/** The package root: this module is src/sdk/build.ts or dist/sdk/build.js, two levels down. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SDK = join(PACKAGE_ROOT, 'sdk');
const SPT = join(SDK, 'spt');
const LINKER_SCRIPT = join(SPT, 'spt_x86_64.lds');
/** Bindings objects are compiled once per content hash and shared by every guest. */
const CACHE = join(PACKAGE_ROOT, 'build', 'sdk');

export interface BuildOptions {
  /** C (or .S) sources of the application. */
  sources: string[];
  /** The manifest.json declaring the application's devices. */
  manifest: string;
  /** Path of the unikernel to write. */
  output: string;
  includeDirs?: string[];
  cflags?: string[];
}

/** The compiler failed; `stderr` holds its diagnostics. */
export class BuildError extends Error {
  readonly command: string[];
  readonly stderr: string;

  constructor(what: string, command: string[], stderr: string) {
    super(`${what} failed:\n${stderr.trimEnd()}`);
    this.name = 'BuildError';
    this.command = command;
    this.stderr = stderr;
  }
}

function compiler(): string {
  return process.env.CC ?? 'gcc';
}

async function gcc(what: string, args: string[]): Promise<void> {
  try {
    await run(compiler(), args, { maxBuffer: 16 << 20 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    throw new BuildError(what, [compiler(), ...args], e.stderr || e.message);
  }
}

let gccIncludeDir: Promise<string> | undefined;

/** gcc's own headers (stddef.h, stdint.h, stdarg.h): the only system headers guests may use. */
function compilerIncludeDir(): Promise<string> {
  gccIncludeDir ??= run(compiler(), ['-print-file-name=include']).then((r) => r.stdout.trim());
  return gccIncludeDir;
}

/*
 * Freestanding and static: no libc, no PIE (the image is linked at 0x100000 and loaded as is),
 * no host headers (-nostdinc), and no stack protector until the bindings set up a guard.
 */
async function baseCflags(): Promise<string[]> {
  return [
    '-std=gnu11',
    '-O2',
    '-g',
    '-ffreestanding',
    '-fno-pie',
    '-fno-stack-protector',
    '-fno-asynchronous-unwind-tables',
    '-nostdinc',
    '-isystem',
    await compilerIncludeDir(),
    '-Wall',
    '-Wextra',
    `-I${join(SDK, 'include')}`,
    `-I${join(PACKAGE_ROOT, 'tenders', 'include')}`,
  ];
}

const LDFLAGS = [
  '-nostdlib',
  '-static',
  '-no-pie',
  `-Wl,-T,${LINKER_SCRIPT}`,
  '-Wl,-z,max-page-size=0x1000',
  '-Wl,--build-id=none',
  '-Wl,-z,noexecstack',
];

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The bindings' sources, the entry point first so that _start lands at the start of .text. */
async function bindingSources(): Promise<string[]> {
  const names = (await readdir(SPT)).filter((n) => n.endsWith('.c') || n.endsWith('.S'));
  names.sort(
    (a, b) => Number(b.startsWith('entry_')) - Number(a.startsWith('entry_')) || a.localeCompare(b),
  );
  return names.map((n) => join(SPT, n));
}

let bindings: Promise<string[]> | undefined;

/*
 * Compiles the bindings into build/sdk/spt-<hash>/, the hash covering sources, headers,
 * flags and compiler, so a change anywhere recompiles and an unchanged tree reuses the objects.
 * Objects are built in a temporary directory renamed into place, so concurrent builds
 * (several processes) never see a half-written cache.
 */
async function compileBindings(): Promise<string[]> {
  const sources = await bindingSources();
  const headers = [join(SDK, 'include', 'solo5.h'), join(SDK, 'include', 'nabla_lib.h')];
  const headerFiles = (await readdir(SPT)).filter((n) => n.endsWith('.h')).map((n) => join(SPT, n));
  const flags = await baseCflags();
  const hash = createHash('sha256');
  hash.update(JSON.stringify([compiler(), flags]));
  const abiHeader = join(PACKAGE_ROOT, 'tenders', 'include', 'spt_abi.h');
  for (const file of [...sources, ...headers, ...headerFiles, abiHeader]) {
    hash.update(file);
    hash.update(await readFile(file));
  }
  const dir = join(CACHE, `spt-${hash.digest('hex').slice(0, 16)}`);
  const objects = sources.map((s) => join(dir, `${s.slice(SPT.length + 1)}.o`));
  if (await exists(join(dir, 'complete'))) return objects;

  await mkdir(CACHE, { recursive: true });
  const temp = await mkdtemp(join(CACHE, 'tmp-'));
  try {
    await Promise.all(
      sources.map((source) =>
        gcc(`compiling ${source}`, [
          ...flags,
          '-c',
          source,
          '-o',
          join(temp, `${source.slice(SPT.length + 1)}.o`),
        ]),
      ),
    );
    await writeFile(join(temp, 'complete'), '');
    try {
      await rename(temp, dir);
    } catch (error) {
      // Another build got there first with identical content: use its objects.
      if (!(await exists(join(dir, 'complete')))) throw error;
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  return objects;
}

/** The bindings' object files, compiled at most once per process. */
export function sptBindings(): Promise<string[]> {
  bindings ??= compileBindings().catch((error: unknown) => {
    bindings = undefined;
    throw error;
  });
  return bindings;
}

/** Builds one unikernel: application sources + generated notes + bindings, linked by our script. */
export async function buildUnikernel(options: BuildOptions): Promise<void> {
  const manifest = await readManifest(options.manifest);
  const objects = await sptBindings();
  const output = resolve(options.output);
  await mkdir(dirname(output), { recursive: true });
  const temp = await mkdtemp(join(tmpdir(), 'nabla-build-'));
  try {
    const notes = join(temp, 'solo5_notes.S');
    await writeFile(notes, generateNotesAssembly(manifest));
    const includes = (options.includeDirs ?? []).map((d) => `-I${resolve(d)}`);
    const args = [
      ...(await baseCflags()),
      ...includes,
      ...(options.cflags ?? []),
      ...LDFLAGS,
      '-o',
      output,
      ...objects,
      ...options.sources.map((s) => resolve(s)),
      notes,
      '-lgcc',
    ];
    await gcc(`building ${options.output}`, args);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
