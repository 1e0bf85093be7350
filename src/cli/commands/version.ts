// version.ts: `nabla version` — our version and the Solo5 ABI version.
import type { CommandSpec } from '../options.js';

export const spec: CommandSpec = {
  name: 'version',
  summary: 'Show the nabla version and the Solo5 ABI version (as `nabla --version`).',
  usage: [''],
  operands: { name: '', min: 0, max: 0 },
  options: [],
  examples: [['version', 'nabla (nabla) version 0.1.0, then ABI version 2']],
};

export async function handler(): Promise<void> {
  const { version } = await import('../usage.js');
  process.stdout.write(version('nabla'));
}
