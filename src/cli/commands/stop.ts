// stop.ts: `nabla stop NAME` — stops an instance's guest (SIGTERM, then SIGKILL); it is not restarted.
import type { Argv } from 'yargs';
import type { Instance } from '../../daemon/schema.js';
import { socketOption, socketPath } from '../daemon-verbs.js';
import { type OptionTable, positiveInteger } from '../options.js';

export const command = 'stop <name>';
export const describe = "Stop an instance's guest: SIGTERM, then SIGKILL after the timeout";
export const operands = 'NAME';

export const options = {
  timeout: {
    type: 'string',
    requiresArg: true,
    value: 'SECONDS',
    coerce: positiveInteger('--timeout'),
    describe: 'seconds between SIGTERM and SIGKILL (default 10)',
  },
  socket: socketOption,
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 stop [--timeout SECONDS] [--socket PATH] NAME\n\n${describe}.`)
    .options(options)
    .positional('name', { type: 'string', demandOption: true, describe: 'the instance' })
    .example('$0 stop web', 'then `nabla rm web` removes it');
}

export async function handler(args: {
  name: string;
  timeout?: number;
  socket?: string;
}): Promise<void> {
  const { call } = await import('../../daemon/client.js');
  const q = args.timeout === undefined ? '' : `?timeout=${args.timeout}`;
  const instance = await call<Instance>(
    await socketPath(args.socket),
    'POST',
    `/v1/instances/${encodeURIComponent(args.name)}/stop${q}`,
  );
  process.stdout.write(`${instance.name} ${instance.state}\n`);
}
