// ps.ts: `nabla ps [--json]` — the daemon's instances and their states.
import type { Argv } from 'yargs';
import type { Instance } from '../../daemon/schema.js';
import { socketOption, socketPath, table } from '../daemon-verbs.js';
import type { OptionTable } from '../options.js';

export const command = 'ps';
export const describe = "List the daemon's instances: state, pid, restarts, last exit";

export const options = {
  json: { type: 'boolean', describe: 'print the instances as JSON (GET /v1/instances)' },
  socket: socketOption,
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 ps [--json] [--socket PATH]\n\n${describe}.`)
    .options(options)
    .example('$0 ps', 'a table')
    .example('$0 ps --json | jq -r ".[].name"', 'for scripts');
}

function exitText(exit: Instance['exit']): string {
  if (exit === null) return '—';
  return exit.signal === null ? String(exit.status) : `${exit.status} (${exit.signal})`;
}

export async function handler(args: { json?: boolean; socket?: string }): Promise<void> {
  const { call } = await import('../../daemon/client.js');
  const instances = await call<Instance[]>(await socketPath(args.socket), 'GET', '/v1/instances');
  if (args.json) {
    process.stdout.write(`${JSON.stringify(instances, null, 2)}\n`);
    return;
  }
  const rows = instances.map((i) => [
    i.name,
    i.state,
    i.pid ?? '—',
    i.restarts,
    exitText(i.exit),
    i.config.kernel,
  ]);
  process.stdout.write(table(['NAME', 'STATE', 'PID', 'RESTARTS', 'EXIT', 'KERNEL'], rows));
}
