// build.ts: compiles and links C sources into an spt unikernel, or a hosted executable, with the host gcc.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  access,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { NablaError } from '../errors.js';
import { LWIP_DIR, SDK_CACHE, SDK_DIR, TENDER_INCLUDE } from '../package/paths.js';
import { generateHostedManifest } from './hosted-manifest.js';
import { readManifest } from './manifest.js';
import { generateNotesAssembly } from './notes.js';
import { tcpipIncludes, tcpipRuntime } from './tcpip.js';

const run = promisify(execFile);

const SPT = join(SDK_DIR, 'spt');
const LINKER_SCRIPT = join(SPT, 'spt_x86_64.lds');
/** The guest API headers applications include: solo5.h, nabla_lib.h, and spt_abi.h. */
const APP_INCLUDES = [`-I${join(SDK_DIR, 'include')}`, `-I${TENDER_INCLUDE}`];

/**
 * spt: a static unikernel for nabla-run or solo5-spt. hosted: the same application as a
 * normal Linux executable, the Solo5 API implemented over glibc (sdk/hosted).
 */
export type BuildTarget = 'spt' | 'hosted';

export interface BuildOptions {
  /** C (or .S) sources of the application. */
  sources: string[];
  /** The manifest.json declaring the application's devices. */
  manifest: string;
  /** Path of the unikernel to write. */
  output: string;
  includeDirs?: string[];
  cflags?: string[];
  /** Default 'spt'. */
  target?: BuildTarget;
  /** Link the SDK's TCP/IP stack (lwIP and sdk/net; docs/tcpip.md). */
  tcpip?: boolean;
}

/**
 * The compiler failed: one line says so (with its exit status), after the compiler's own
 * diagnostics (`toolOutput`, the CLI prints them first); `stderr` holds them as it wrote them.
 */
export class BuildError extends NablaError {
  readonly command: string[];
  readonly stderr: string;
  /** The compiler's exit status, when it exited (not when it was killed). */
  readonly status: number | undefined;

  constructor(what: string, command: string[], stderr: string, status?: number) {
    const how =
      status === undefined ? '' : ` (${basename(command[0] ?? '')} exit status ${status})`;
    super(`${what} failed${how}`, { code: 'BUILD_FAILED', toolOutput: stderr });
    this.name = 'BuildError';
    this.command = command;
    this.stderr = stderr;
    this.status = status;
  }

  protected override details(): Record<string, unknown> {
    return this.status === undefined ? {} : { status: this.status };
  }
}

function compiler(): string {
  return process.env.CC ?? 'gcc';
}

async function gcc(what: string, args: string[]): Promise<void> {
  try {
    await run(compiler(), args, { maxBuffer: 16 << 20 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; code?: unknown };
    if (e.code === 'ENOENT') throw compilerNotFound();
    const status = typeof e.code === 'number' ? e.code : undefined;
    throw new BuildError(what, [compiler(), ...args], e.stderr || e.message, status);
  }
}

/** No compiler to run: the user's to fix, in one line (not Node's "spawn gcc ENOENT"). */
function compilerNotFound(): NablaError {
  return new NablaError(`${compiler()}: C compiler not found (install gcc, or set CC)`, {
    code: 'BUILD_NO_COMPILER',
  });
}

let gccIncludeDir: Promise<string> | undefined;

/** gcc's own headers (stddef.h, stdint.h, stdarg.h): the only system headers guests may use. */
function compilerIncludeDir(): Promise<string> {
  gccIncludeDir ??= run(compiler(), ['-print-file-name=include']).then(
    (r) => r.stdout.trim(),
    (error: NodeJS.ErrnoException) => {
      gccIncludeDir = undefined;
      throw error.code === 'ENOENT' ? compilerNotFound() : error;
    },
  );
  return gccIncludeDir;
}

/*
 * Freestanding and static: no libc, no PIE (the image is linked at 0x100000 and loaded as is),
 * no host headers (-nostdinc). The stack protector reads its guard from the global
 * __stack_chk_guard (sdk/spt/ssp.c): the default, %fs:0x28, would fault in a guest that has
 * not set up TLS.
 */
export async function sptCflags(): Promise<string[]> {
  return [
    '-std=gnu11',
    '-O2',
    '-g',
    '-ffreestanding',
    '-fno-pie',
    '-fstack-protector-strong',
    '-mstack-protector-guard=global',
    '-fno-asynchronous-unwind-tables',
    '-nostdinc',
    '-isystem',
    await compilerIncludeDir(),
    '-Wall',
    '-Wextra',
    ...APP_INCLUDES,
  ];
}

/** A normal Linux program: the compiler's defaults (glibc, dynamic, PIE), same language level. */
export const HOSTED_CFLAGS = ['-std=gnu11', '-O2', '-g', '-Wall', '-Wextra', ...APP_INCLUDES];

/*
 * These set the guard or run before it is set, so they must not check it: a protected
 * function entered before the guard changes would find a different value on its return.
 */
const NO_STACK_PROTECTOR = new Set([join(SPT, 'start.c'), join(SPT, 'ssp.c')]);

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

async function filesIn(dir: string, suffixes: string[]): Promise<string[]> {
  return (await readdir(dir))
    .filter((n) => suffixes.some((suffix) => n.endsWith(suffix)))
    .sort()
    .map((n) => join(dir, n));
}

/** What one target links besides the application: sources compiled once, and their flags. */
export interface Runtime {
  /** Names the cache directory: build/sdk/<name>-<hash>. */
  name: string;
  /** Sources, in link order. */
  sources: string[];
  /** Every header those sources may include (their contents key the cache). */
  headers: string[];
  /** Flags for the runtime's own files: the application's, plus its internal headers. */
  flags: string[];
}

/*
 * sdk/common holds the API logic of both targets; each target directory adds its host.h and
 * its own files. spt's entry point comes first so that _start lands at the start of .text.
 */
async function runtime(target: BuildTarget): Promise<Runtime> {
  const own = join(SDK_DIR, target);
  const common = join(SDK_DIR, 'common');
  const ownSources = await filesIn(own, ['.c', '.S']);
  ownSources.sort(
    (a, b) => Number(basename(b).startsWith('entry_')) - Number(basename(a).startsWith('entry_')),
  );
  const headers = [
    ...(await filesIn(join(SDK_DIR, 'include'), ['.h'])),
    ...(await filesIn(common, ['.h'])),
    ...(await filesIn(own, ['.h'])),
    join(TENDER_INCLUDE, 'spt_abi.h'),
    join(TENDER_INCLUDE, 'nabla_ext.h'),
  ];
  const base = target === 'spt' ? await sptCflags() : HOSTED_CFLAGS;
  return {
    name: target,
    sources: [...ownSources, ...(await filesIn(common, ['.c']))],
    headers,
    flags: [...base, ...runtimeIncludes(target)],
  };
}

/** The runtime's internal headers: core.h and the target's host.h. */
function runtimeIncludes(target: BuildTarget): string[] {
  return [`-I${join(SDK_DIR, 'common')}`, `-I${join(SDK_DIR, target)}`];
}

function runtimeFlags(rt: Runtime, source: string): string[] {
  return NO_STACK_PROTECTOR.has(source) ? [...rt.flags, '-fno-stack-protector'] : rt.flags;
}

/** sdk/spt/start.c -> spt-start.c.o (lwIP's: lwip-2.1.3-src-core-tcp.c.o): unique across the runtimes' directories. */
function objectName(source: string): string {
  const from = source.startsWith(LWIP_DIR) ? dirname(LWIP_DIR) : SDK_DIR;
  return `${relative(from, source).replaceAll('/', '-')}.o`;
}

/*
 * Compiles a runtime into build/sdk/<target>-<hash>/, the hash covering sources, headers,
 * flags and compiler, so a change anywhere recompiles and an unchanged tree reuses the objects.
 * Objects are built in a temporary directory renamed into place, so concurrent builds
 * (several processes) never see a half-written cache.
 */
async function compileRuntime(rt: Runtime): Promise<string[]> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([compiler(), rt.sources.map((s) => [s, runtimeFlags(rt, s)])]));
  for (const file of [...rt.sources, ...rt.headers]) {
    hash.update(file);
    hash.update(await readFile(file));
  }
  const dir = join(SDK_CACHE, `${rt.name}-${hash.digest('hex').slice(0, 16)}`);
  const objects = rt.sources.map((s) => join(dir, objectName(s)));
  if (await exists(join(dir, 'complete'))) return objects;

  await mkdir(SDK_CACHE, { recursive: true });
  const temp = await mkdtemp(join(SDK_CACHE, 'tmp-'));
  try {
    await Promise.all(
      rt.sources.map((source) =>
        gcc(`compiling ${source}`, [
          ...runtimeFlags(rt, source),
          '-c',
          source,
          '-o',
          join(temp, objectName(source)),
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

const runtimes = new Map<string, Promise<string[]>>();

/**
 * A target's runtime object files (with tcpip: the stack's, for that target), compiled at
 * most once per process.
 */
function runtimeObjects(target: BuildTarget, tcpip = false): Promise<string[]> {
  const key = `${target}${tcpip ? '-tcpip' : ''}`;
  let objects = runtimes.get(key);
  if (objects === undefined) {
    const rt = tcpip
      ? tcpipRuntime(target, target === 'spt' ? sptCflags() : Promise.resolve(HOSTED_CFLAGS))
      : runtime(target);
    objects = rt.then(compileRuntime).catch((error: unknown) => {
      runtimes.delete(key);
      throw error;
    });
    runtimes.set(key, objects);
  }
  return objects;
}

/**
 * Builds one application. spt: application sources + generated notes + bindings, linked by
 * our script. hosted: application sources + generated device table + sdk/hosted, linked as a
 * normal executable.
 */
export async function buildUnikernel(options: BuildOptions): Promise<void> {
  const target = options.target ?? 'spt';
  const output = resolve(options.output);
  // The linker would say "cannot open output file: Is a directory", after all the work.
  if ((await stat(output).catch(() => undefined))?.isDirectory()) {
    throw new NablaError(`${options.output}: Is a directory; the output must be a file`, {
      code: 'BUILD_INPUT',
    });
  }
  const manifest = await readManifest(options.manifest);
  const objects = await runtimeObjects(target);
  // The stack's objects come after the application's, which calls into them.
  const stack = options.tcpip ? await runtimeObjects(target, true) : [];
  await mkdir(dirname(output), { recursive: true });
  const temp = await mkdtemp(join(tmpdir(), 'nabla-build-'));
  try {
    const includes = [
      ...(options.tcpip ? tcpipIncludes() : []),
      ...(options.includeDirs ?? []).map((d) => `-I${resolve(d)}`),
    ];
    const sources = options.sources.map((s) => resolve(s));
    const what = `building ${options.output}`;
    if (target === 'spt') {
      const notes = join(temp, 'solo5_notes.S');
      await writeFile(notes, generateNotesAssembly(manifest));
      await gcc(what, [
        ...(await sptCflags()),
        ...includes,
        ...(options.cflags ?? []),
        ...LDFLAGS,
        '-o',
        output,
        ...objects,
        ...sources,
        ...stack,
        notes,
        '-lgcc',
      ]);
    } else {
      // The table includes sdk/hosted/hosted.h: compiled apart, so the application's own
      // include path does not see the runtime's internal headers.
      const table = join(temp, 'hosted_manifest.c');
      await writeFile(table, generateHostedManifest(manifest));
      await gcc(what, [
        ...HOSTED_CFLAGS,
        ...runtimeIncludes('hosted'),
        '-c',
        table,
        '-o',
        `${table}.o`,
      ]);
      await gcc(what, [
        ...HOSTED_CFLAGS,
        ...includes,
        ...(options.cflags ?? []),
        '-o',
        output,
        ...sources,
        ...stack,
        `${table}.o`,
        ...objects,
      ]);
    }
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
