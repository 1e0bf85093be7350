// build.ts: `nabla build` — C sources plus a manifest.json into a unikernel (or a hosted executable).
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NablaError } from '../../errors.js';
import { type CommandSpec, type ParsedArgs, printable } from '../options.js';

export const spec: CommandSpec = {
  name: 'build',
  summary:
    'Build a unikernel from C sources and a manifest.json: a directory, or source files. ' +
    'The same app builds as a normal Linux program with --target hosted.',
  usage: ['[OPTIONS] DIR', '[OPTIONS] [-m MANIFEST] SOURCES...'],
  operands: { name: 'DIR or SOURCES', min: 1, max: Number.POSITIVE_INFINITY },
  options: [
    {
      name: 'manifest',
      short: 'm',
      kind: 'string',
      value: 'FILE',
      describe: 'the manifest.json (default: DIR/manifest.json; with SOURCES, ./manifest.json)',
    },
    {
      name: 'output',
      short: 'o',
      kind: 'string',
      value: 'FILE',
      describe:
        "the file to write (default: ./NAME.nabla, or ./NAME.hosted for --target hosted; NAME is DIR's or the first source's name)",
    },
    {
      name: 'target',
      kind: 'string',
      value: 'spt|hosted',
      choices: ['spt', 'hosted'],
      describe:
        'spt (default): a unikernel for nabla-run or solo5-spt; hosted: the same app as a normal Linux program',
    },
    {
      name: 'cflags',
      kind: 'list',
      value: 'FLAGS',
      describe: 'extra compiler flags, split at spaces; repeatable (--cflags "-O0 -DDEBUG")',
    },
    {
      name: 'include',
      short: 'I',
      kind: 'list',
      value: 'DIR',
      describe: 'an extra include directory; repeatable',
    },
  ],
  examples: [
    ['build examples/hello', 'writes ./hello.nabla'],
    ['build -m manifest.json -o app.nabla main.c net.c', 'from files'],
    ['build --target hosted examples/hello', 'writes ./hello.hosted, a plain executable'],
  ],
  notes: [
    'The compiler is $CC, else gcc. Its messages are printed as it gives them, then one ' +
      '`nabla build:` line; the status is 1 and the output is not written.',
  ],
};

export interface BuildArgs {
  inputs: string[];
  manifest?: string | undefined;
  output?: string | undefined;
  target: 'spt' | 'hosted';
  cflags: string[];
  include: string[];
}

/** The file a build writes when -o is not given: beside, never onto, the inputs. */
export function defaultOutput(name: string, target: 'spt' | 'hosted'): string {
  // NAME alone would be the directory NAME itself after `nabla build NAME`.
  return `${name}.${target === 'hosted' ? 'hosted' : 'nabla'}`;
}

/** Resolves the inputs into sources, manifest and output the way the help text says. */
export function resolveBuild(args: BuildArgs): {
  sources: string[];
  manifest: string;
  output: string;
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
  if (sources.length === 0)
    throw new NablaError(`${printable(first)}: no .c or .S sources to build`);
  for (const source of sources) {
    const stat = statSync(source, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      throw new NablaError(
        `${printable(source)}: is a directory; a directory is built on its own (nabla build DIR)`,
      );
    }
    if (!stat?.isFile()) throw new NablaError(`${printable(source)}: No such source file`);
  }
  const name = isDir ? basename(first.replace(/\/+$/, '')) : basename(first).replace(/\.[cS]$/, '');
  return {
    sources,
    manifest: args.manifest ?? (isDir ? join(first, 'manifest.json') : 'manifest.json'),
    output: args.output ?? defaultOutput(name, args.target),
  };
}

/** The command line's options, as the build takes them (--cflags split at spaces). */
export function buildArgs(parsed: ParsedArgs): BuildArgs {
  return {
    inputs: [...parsed.operands],
    manifest: parsed.string('manifest'),
    output: parsed.string('output'),
    target: parsed.string('target') === 'hosted' ? 'hosted' : 'spt',
    cflags: parsed.list('cflags').flatMap((f) => f.split(/\s+/).filter((w) => w !== '')),
    include: parsed.list('include'),
  };
}

export async function handler(parsed: ParsedArgs): Promise<void> {
  const { buildUnikernel, BuildError } = await import('../../sdk/build.js');
  const args = buildArgs(parsed);
  const plan = resolveBuild(args);
  const options = { ...plan, target: args.target, cflags: args.cflags, includeDirs: args.include };
  try {
    await buildUnikernel(options);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    // The compiler's messages are about the user's code: shown as it wrote them, then ours.
    const diagnostics = error.stderr.trimEnd();
    if (diagnostics !== '') process.stderr.write(`${diagnostics}\n`);
    throw new NablaError(error.summary);
  }
  process.stdout.write(`built ${plan.output} (${args.target})\n`);
}
