// build.ts: `nabla build` — C sources plus a manifest.json into a unikernel (or a hosted executable).
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Argv } from 'yargs';
import { NablaError } from '../../errors.js';
import { type OptionTable, printable } from '../options.js';

export const command = 'build <inputs..>';
export const describe =
  'Build a unikernel from C sources and a manifest.json: a directory, or source files';
/** The operands, for "Missing DIR or SOURCES operand". */
export const operands = 'DIR or SOURCES';

export const options = {
  manifest: {
    alias: 'm',
    type: 'string',
    requiresArg: true,
    value: 'FILE',
    describe: 'the manifest.json (default: DIR/manifest.json; with SOURCES, ./manifest.json)',
  },
  output: {
    alias: 'o',
    type: 'string',
    requiresArg: true,
    value: 'FILE',
    describe:
      "the file to write (default: ./NAME.nabla, or ./NAME.hosted for --target hosted; NAME is DIR's or the first source's name)",
  },
  target: {
    choices: ['spt', 'hosted'],
    requiresArg: true,
    value: 'spt|hosted',
    describe:
      'spt (default): a unikernel for nabla-run or solo5-spt; hosted: the same app as a normal Linux program',
  },
  cflags: {
    type: 'string',
    array: true,
    requiresArg: true,
    value: 'FLAGS',
    describe:
      'extra compiler flags, split at spaces; repeatable; a value starting with - goes after = (--cflags="-O0 -DDEBUG")',
  },
  tcpip: {
    type: 'boolean',
    describe:
      'link the SDK\'s TCP/IP stack (lwIP; nabla_tcpip.h), as "tcpip": true in DIR/nabla-build.json does',
  },
  include: {
    alias: 'I',
    type: 'string',
    array: true,
    requiresArg: true,
    value: 'DIR',
    describe: 'an extra include directory; repeatable',
  },
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(
      'usage: $0 build [OPTIONS] DIR\n' +
        'or:    $0 build [OPTIONS] [-m MANIFEST] SOURCES...\n\n' +
        'Build a unikernel from C sources and a manifest.json: a directory, or source files. ' +
        'The same app builds as a normal Linux program with --target hosted.',
    )
    .options(options)
    .positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe:
        'DIR: a directory holding manifest.json and *.c, *.S; or SOURCES: C and assembly files',
    })
    .example('$0 build examples/hello', 'writes ./hello.nabla')
    .example('$0 build -m manifest.json -o app.nabla main.c net.c', 'from files')
    .example('$0 build --target hosted examples/hello', 'writes ./hello.hosted, a plain executable')
    .example('$0 build --tcpip -o echo.nabla echo.c', 'with the TCP/IP stack (lwIP)')
    .epilogue(
      'The compiler is $CC, else gcc. Its messages are printed as it gives them, then one ' +
        '`nabla build:` line; the status is 1 and the output is not written.',
    );
}

export interface BuildArgs {
  inputs: string[];
  manifest?: string | undefined;
  output?: string | undefined;
  target: 'spt' | 'hosted';
  cflags: string[];
  include: string[];
  tcpip: boolean;
}

/** The file a build writes when -o is not given: beside, never onto, the inputs. */
function defaultOutput(name: string, target: 'spt' | 'hosted'): string {
  // NAME alone would be the directory NAME itself after `nabla build NAME`.
  return `${name}.${target === 'hosted' ? 'hosted' : 'nabla'}`;
}

/** Resolves the inputs into sources, manifest and output the way the help text says. */
function resolveBuild(args: BuildArgs): {
  sources: string[];
  manifest: string;
  output: string;
  /** The app's directory (nabla build DIR), where nabla-build.json may be. */
  dir: string | undefined;
} {
  const first = args.inputs[0] as string;
  const isDir =
    args.inputs.length === 1 && statSync(first, { throwIfNoEntry: false })?.isDirectory();
  const sources = isDir
    ? readdirSync(first)
        .filter((n) => n.endsWith('.c') || n.endsWith('.S'))
        .sort()
        .map((n) => join(first, n))
    : args.inputs;
  const invalid = (message: string) => new NablaError(message, { code: 'BUILD_INPUT' });
  if (sources.length === 0) throw invalid(`${printable(first)}: no .c or .S sources to build`);
  for (const source of sources) {
    const stat = statSync(source, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      throw invalid(
        `${printable(source)}: is a directory; a directory is built on its own (nabla build DIR)`,
      );
    }
    if (!stat?.isFile()) throw invalid(`${printable(source)}: No such source file`);
  }
  const name = isDir ? basename(first.replace(/\/+$/, '')) : basename(first).replace(/\.[cS]$/, '');
  return {
    sources,
    manifest: args.manifest ?? (isDir ? join(first, 'manifest.json') : 'manifest.json'),
    output: args.output ?? defaultOutput(name, args.target),
    dir: isDir ? first : undefined,
  };
}

/** What yargs made of the command line. */
export interface BuildCommandArgs {
  inputs: string[];
  manifest?: string | undefined;
  output?: string | undefined;
  target?: 'spt' | 'hosted' | undefined;
  cflags?: string[] | undefined;
  include?: string[] | undefined;
  tcpip?: boolean | undefined;
}

/** The command line's options, as the build takes them (--cflags split at spaces). */
function buildArgs(args: BuildCommandArgs): BuildArgs {
  return {
    inputs: [...args.inputs],
    manifest: args.manifest,
    output: args.output,
    target: args.target ?? 'spt',
    cflags: (args.cflags ?? []).flatMap((f) => f.split(/\s+/).filter((w) => w !== '')),
    include: [...(args.include ?? [])],
    tcpip: args.tcpip ?? false,
  };
}

export async function handler(parsed: BuildCommandArgs): Promise<void> {
  const { buildUnikernel } = await import('../../toolchain/build.js');
  const { readBuildSettings } = await import('../../toolchain/build-settings.js');
  const args = buildArgs(parsed);
  const { dir, ...plan } = resolveBuild(args);
  const settings = dir === undefined ? { tcpip: false } : await readBuildSettings(dir);
  const options = {
    ...plan,
    target: args.target,
    cflags: args.cflags,
    includeDirs: args.include,
    tcpip: args.tcpip || settings.tcpip,
  };
  // A failed compile is a BuildError: the CLI prints the compiler's messages, then one line.
  await buildUnikernel(options);
  process.stdout.write(`built ${plan.output} (${args.target})\n`);
}
