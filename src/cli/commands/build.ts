// build.ts: `nabla build` — C sources plus a manifest.json into a unikernel (or a hosted executable).
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Argv } from 'yargs';
import { NablaError } from '../../errors.js';

export const command = 'build <inputs..>';
export const describe =
  'Build a unikernel from C sources and a manifest.json (a directory, or files)';

export function builder(yargs: Argv) {
  return yargs
    .positional('inputs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'a directory holding manifest.json and *.c, or C/assembly source files',
    })
    .option('manifest', {
      alias: 'm',
      type: 'string',
      describe: 'manifest.json (default: DIR/manifest.json or ./manifest.json)',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'output file (default: NAME.nabla, or NAME for --target hosted)',
    })
    .option('target', {
      choices: ['spt', 'hosted'] as const,
      default: 'spt' as const,
      describe:
        'spt: a unikernel for nabla-run/solo5-spt; hosted: the same app as a normal Linux program',
    })
    .option('cflags', {
      type: 'string',
      array: true,
      default: [],
      describe: 'extra compiler flags',
    })
    .option('include', {
      alias: 'I',
      type: 'string',
      array: true,
      default: [],
      describe: 'extra include directories',
    })
    .example('$0 build examples/hello', 'writes hello.nabla')
    .example('$0 build -m manifest.json -o app.nabla main.c net.c', 'from files')
    .example('$0 build --target hosted examples/hello', 'writes ./hello, a plain executable');
}

export interface BuildArgs {
  inputs: string[];
  manifest?: string | undefined;
  output?: string | undefined;
  target: 'spt' | 'hosted';
  cflags: string[];
  include: string[];
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
  if (sources.length === 0) throw new NablaError(`${first}: no .c or .S sources to build`);
  for (const source of sources) {
    if (!statSync(source, { throwIfNoEntry: false })?.isFile())
      throw new NablaError(`${source}: No such source file`);
  }
  const name = isDir ? basename(first.replace(/\/+$/, '')) : basename(first).replace(/\.[cS]$/, '');
  return {
    sources,
    manifest: args.manifest ?? (isDir ? join(first, 'manifest.json') : 'manifest.json'),
    output: args.output ?? (args.target === 'hosted' ? name : `${name}.nabla`),
  };
}

export async function handler(args: BuildArgs): Promise<void> {
  const { buildUnikernel } = await import('../../sdk/build.js');
  const plan = resolveBuild(args);
  const options = { ...plan, target: args.target, cflags: args.cflags, includeDirs: args.include };
  await buildUnikernel(options);
  process.stdout.write(`built ${plan.output} (${args.target})\n`);
}
