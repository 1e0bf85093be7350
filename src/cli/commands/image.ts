// image.ts: `nabla image build KERNEL [--tag NAME] [-o image.tar]` — a unikernel as an OCI image for containerd (nabla-oci runs it).
import type { Argv } from 'yargs';
import { type OptionTable, usageError } from '../options.js';

export const command = 'image';
export const describe =
  'Package a unikernel as an OCI image that containerd imports and nabla-oci runs (nabla image build)';
/** The operand of `image build`, for "Missing KERNEL operand". */
export const operands = 'KERNEL';

/** The options of `image build` (the only image command so far). */
export const options = {
  tag: {
    alias: 't',
    type: 'string',
    requiresArg: true,
    value: 'NAME',
    describe:
      "the image's name, NAME[:TAG] (default: KERNEL's name without .nabla, tag latest); a bare name is docker.io/library/NAME",
  },
  output: {
    alias: 'o',
    type: 'string',
    requiresArg: true,
    value: 'FILE',
    describe: 'the OCI layout tar to write (default: NAME.tar here); replaced whole if it exists',
  },
} as const satisfies OptionTable;

interface ImageBuildArgs {
  kernel: string;
  tag?: string | undefined;
  output?: string | undefined;
}

const build = {
  command: 'build <kernel>',
  describe: 'Write KERNEL as an OCI image layout tar, with KERNEL as its entrypoint',
  builder: (yargs: Argv) =>
    yargs
      .usage(
        'usage: $0 image build [--tag NAME] [-o FILE] KERNEL\n\n' +
          'Write an OCI image layout tar holding KERNEL (checked like any unikernel) as its one ' +
          'layer and its entrypoint, for `ctr images import FILE`; containerd then runs it ' +
          'with nabla-oci as the runtime (docs/oci.md, docs/kubernetes.md).',
      )
      .options(options)
      .positional('kernel', { type: 'string', demandOption: true, describe: 'the unikernel' })
      .example('$0 image build hello.nabla -o hello.tar', 'then: ctr images import hello.tar')
      .example(
        '$0 image build --tag web:1.0 http.nabla',
        'writes http.tar, docker.io/library/web:1.0',
      ),
  handler: async (args: ImageBuildArgs) => {
    const { buildOciImage } = await import('../../image/oci-image.js');
    const result = await buildOciImage({ kernel: args.kernel, tag: args.tag, output: args.output });
    process.stdout.write(
      `built ${result.output}: ${result.reference} (${result.digest}), ${result.bytes} bytes\n`,
    );
  },
};

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 image COMMAND [OPTIONS] ...\n\n${describe}.`)
    .command(build)
    .check((args) => {
      if (args._[1] === undefined) throw usageError('Missing image command (build)');
      return true;
    });
}

export function handler(): void {}
