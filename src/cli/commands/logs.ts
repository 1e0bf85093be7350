// logs.ts: `nabla logs [-f] [--tail N] NAME` — an instance's console, and with -f what it prints next.
import type { Argv } from 'yargs';
import { socketOption, socketPath } from '../daemon-verbs.js';
import { type OptionTable, positiveInteger } from '../options.js';

export const command = 'logs <name>';
export const describe = "Print an instance's console (its last lines are kept by the daemon)";
export const operands = 'NAME';

export const options = {
  follow: {
    alias: 'f',
    type: 'boolean',
    describe: 'keep printing new lines until the instance is removed (Ctrl-C to stop)',
  },
  tail: {
    type: 'string',
    requiresArg: true,
    value: 'N',
    coerce: positiveInteger('--tail'),
    describe: 'only the last N lines (default: all kept, up to 1000)',
  },
  socket: socketOption,
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 logs [-f] [--tail N] [--socket PATH] NAME\n\n${describe}.`)
    .options(options)
    .positional('name', { type: 'string', demandOption: true, describe: 'the instance' })
    .example('$0 logs -f --tail 10 web', 'the last 10 lines, then the new ones');
}

export async function handler(args: {
  name: string;
  follow?: boolean;
  tail?: number;
  socket?: string;
}): Promise<void> {
  const { stream } = await import('../../daemon/client.js');
  const query = new URLSearchParams();
  if (args.tail !== undefined) query.set('tail', String(args.tail));
  if (args.follow) query.set('follow', 'true');
  const q = query.size > 0 ? `?${query}` : '';
  await stream(
    await socketPath(args.socket),
    `/v1/instances/${encodeURIComponent(args.name)}/logs${q}`,
    (text) => process.stdout.write(text),
  );
}
