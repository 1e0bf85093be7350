// daemon-verbs.ts: what the verbs that talk to the daemon share: the --socket option, the default socket, and their tables.
import { markdownTable } from '../markdown-table.js';
import type { OptionSpec } from './options.js';

export const socketOption = {
  type: 'string',
  requiresArg: true,
  value: 'PATH',
  describe: "the daemon's socket (default: the daemon's own default, see nabla daemon --help)",
} as const satisfies OptionSpec;

/** --socket, absolute, or the default a daemon started the same way would listen on. */
export async function socketPath(given: string | undefined): Promise<string> {
  const [{ defaultSocket }, { resolve }] = await Promise.all([
    import('../daemon/config.js'),
    import('node:path'),
  ]);
  return resolve(given ?? defaultSocket());
}

/** Rows as an aligned table (the repo's one table writer), ending with a newline. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return `${markdownTable(head, rows, { padded: true }).join('\n')}\n`;
}

/** `44 KiB` from bytes, for people (a guest's memory is tens of KiB to MiB). */
export function kibibytes(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '—' : `${Math.round(bytes / 1024)} KiB`;
}
