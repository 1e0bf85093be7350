// inspect.ts: `nabla inspect KERNEL [--json]` — the ABI note and manifest of a Solo5 unikernel.
import type { Argv } from 'yargs';
import type { UnikernelDescription } from '../../elf/describe.js';
import { escapeName, escapeText, terminalJson } from '../../text-escape.js';
import type { OptionTable } from '../options.js';
import type { ErrorFormat } from '../report.js';

export const command = 'inspect <kernel>';
export const describe =
  'Show the Solo5 ABI note, entry point, program headers and device manifest of a unikernel (ours or upstream, any target)';
/** The operand, for "Missing KERNEL operand". */
export const operands = 'KERNEL';

export const options = {
  json: { type: 'boolean', describe: 'print one JSON object (shape: docs/inspect-json.md)' },
} as const satisfies OptionTable;

/**
 * `--json` (before any `--`) asks for JSON, and so for a failure as one JSON object on stderr,
 * even when the rest of the command line is wrong.
 */
export function errorFormat(argv: readonly string[]): ErrorFormat {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json') ? 'json' : 'text';
}

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 inspect [--json] KERNEL\n\n${describe}.`)
    .options(options)
    .positional('kernel', { type: 'string', demandOption: true, describe: 'the unikernel ELF' })
    .example('$0 inspect build/examples/blk.nabla', 'what it needs attached')
    .example('$0 inspect --json app.nabla | jq .manifest.devices', 'for scripts');
}

/** Text for a terminal: the path and the manifest's names are escaped (src/text-escape.ts). */
function formatText(d: UnikernelDescription): string {
  const lines = [
    `${escapeText(d.file)}: Solo5 unikernel, ${d.size} bytes`,
    `  ABI:      target ${d.abi.targetName} (${d.abi.target}), version ${d.abi.version}${d.runnable ? '' : '  (nabla-run needs spt, version 2)'}`,
    `  entry:    ${d.entry}`,
    '  segments:',
    ...d.segments.map(
      (s) =>
        `    [${s.index}] ${s.type.padEnd(7)} ${s.flags} vaddr ${s.vaddr.padEnd(10)} memsz ${s.memsz} filesz ${s.filesz}`,
    ),
    `  manifest: version ${d.manifest.version}, ${d.manifest.devices.length} device${d.manifest.devices.length === 1 ? '' : 's'}`,
    ...d.manifest.devices.map(
      (dev) => `    [${dev.index}] ${escapeName(dev.name).padEnd(16)} ${dev.type}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export async function handler(args: { kernel: string; json?: boolean }): Promise<void> {
  const [{ describeUnikernel }, { textToBytes }] = await Promise.all([
    import('../../elf/describe.js'),
    import('../../bytes.js'),
  ]);
  // KERNEL is lossless text (bytes.ts): the file opened is the one its bytes name.
  const description = describeUnikernel(textToBytes(args.kernel));
  process.stdout.write(
    // JSON leaves DEL and the C1 controls raw: terminalJson escapes them too.
    args.json ? `${terminalJson(description, 2)}\n` : formatText(description),
  );
}
