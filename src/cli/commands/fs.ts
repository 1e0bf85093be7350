// fs.ts: `nabla fs build DIR -o IMAGE` — a directory into a file-system image (ustar) for a guest's block device.
import type { Argv } from 'yargs';
import { NablaError } from '../../errors.js';
import { type OptionTable, quoted, usageError } from '../options.js';

export const command = 'fs';
export const describe =
  'Make a file-system image from a directory, for a guest to read from a block device (nabla fs build)';
/** The operand of `fs build`, for "Missing DIR operand". */
export const operands = 'DIR';

/** A whole power of two from 512 to 32768: the block sizes nabla-run accepts. */
function sectorSize(value: unknown): number {
  if (Array.isArray(value)) throw usageError('--sector-size given twice');
  const text = String(value);
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 512 || n > 32768 || (n & (n - 1)) !== 0)
    throw new NablaError(
      `Expected a power of two from 512 to 32768 for --sector-size but received ${quoted(text)}`,
      { code: 'OPTION_INVALID', showUsage: true },
    );
  return n;
}

/** The options of `fs build` (the only fs command so far). */
export const options = {
  output: {
    alias: 'o',
    type: 'string',
    requiresArg: true,
    value: 'IMAGE',
    describe: 'the image file to write (required); replaced whole if it exists',
  },
  'sector-size': {
    type: 'string',
    requiresArg: true,
    value: 'BYTES',
    coerce: sectorSize,
    describe:
      'the block size of the device the image will back: 512 (default) or 4096, any power of two up to 32768; the image is a whole number of them',
  },
} as const satisfies OptionTable;

interface FsBuildArgs {
  dir: string;
  output?: string | undefined;
  'sector-size'?: number | undefined;
}

const build = {
  command: 'build <dir>',
  describe: 'Write the files and directories under DIR to IMAGE as a ustar archive',
  builder: (yargs: Argv) =>
    yargs
      .usage(
        'usage: $0 fs build [--sector-size BYTES] -o IMAGE DIR\n\n' +
          'Write every regular file and directory under DIR to IMAGE as a POSIX ustar archive ' +
          '(tar tvf IMAGE lists it), padded with zeros to whole sectors, for a guest to read ' +
          'from a block device with the SDK (nabla_tarfs.h). Format: docs/fs-image.md.',
      )
      .options(options)
      .positional('dir', { type: 'string', demandOption: true, describe: 'the directory to pack' })
      .check((args) => {
        if (args.output === undefined) throw usageError('Missing -o IMAGE (the image to write)');
        return true;
      })
      .example('$0 fs build site -o site.img', 'then: nabla-run --block:storage=site.img app.nabla')
      .example('$0 fs build --sector-size 4096 site -o site.img', 'for a 4096-byte block device')
      .epilogue(
        'Entries are sorted by name, owned by root (0/0), mode 0755 or 0644, with the ' +
          "files' modification times: the same tree gives the same bytes. Symbolic links, " +
          'devices, FIFOs, sockets, names that are not printable ASCII or do not fit a ustar ' +
          'header, and files of 8 GiB or more are refused, naming the file.',
      ),
  handler: async (args: FsBuildArgs) => {
    const [{ buildFsImage }, { textToBytes }] = await Promise.all([
      import('../../fsimage/build.js'),
      import('../../bytes.js'),
    ]);
    const { escapeText } = await import('../../text-escape.js');
    // DIR and IMAGE are lossless text (bytes.ts): the files used are the ones their bytes name.
    const output = textToBytes(args.output as string);
    const summary = await buildFsImage({
      dir: textToBytes(args.dir),
      output,
      sectorSize: args['sector-size'],
    });
    process.stdout.write(
      `built ${escapeText(output)}: ${summary.files} files, ${summary.directories} directories, ` +
        `${summary.imageBytes} bytes\n`,
    );
  },
};

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 fs COMMAND [OPTIONS] ...\n\n${describe}.`)
    .command(build)
    .check((args) => {
      // An unknown word is refused by yargs' strict mode ("Unexpected argument: WORD").
      if (args._[1] === undefined) throw usageError('Missing fs command (build)');
      return true;
    });
}

export function handler(): void {}
