// version.ts: `nabla version` — our version and the Solo5 ABI version.
import type { Argv } from 'yargs';
import type { OptionTable } from '../options.js';

export const command = 'version';
export const describe = 'Show the nabla version and the Solo5 ABI version (as `nabla --version`)';

export const options = {} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 version\n\n${describe}.`)
    .example('$0 version', 'nabla (nabla) version 0.1.0, then ABI version 2');
}

export async function handler(): Promise<void> {
  const { version } = await import('../usage.js');
  process.stdout.write(version('nabla'));
}
