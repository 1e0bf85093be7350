// rm.ts: `nabla rm [-f] NAME` — removes an instance, its record and its console.
import type { Argv } from 'yargs';
import { socketOption, socketPath } from '../daemon-verbs.js';
import type { OptionTable } from '../options.js';

export const command = 'rm <name>';
export const describe = 'Remove an instance (a running one only with -f, which kills it)';
export const operands = 'NAME';

export const options = {
  force: { alias: 'f', type: 'boolean', describe: 'kill the guest first if it runs (SIGKILL)' },
  socket: socketOption,
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 rm [-f] [--socket PATH] NAME\n\n${describe}.`)
    .options(options)
    .positional('name', { type: 'string', demandOption: true, describe: 'the instance' })
    .example('$0 rm -f web', 'even while it runs');
}

export async function handler(args: { name: string; force?: boolean; socket?: string }) {
  const { call } = await import('../../daemon/client.js');
  const q = args.force ? '?force=true' : '';
  await call(
    await socketPath(args.socket),
    'DELETE',
    `/v1/instances/${encodeURIComponent(args.name)}${q}`,
  );
  process.stdout.write(`${args.name}\n`);
}
