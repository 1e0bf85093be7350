// stats.ts: `nabla stats [--json] [NAME]` — CPU time and memory of the daemon's guests.
import type { Argv } from 'yargs';
import type { Instance } from '../../daemon/schema.js';
import { kibibytes, socketOption, socketPath, table } from '../daemon-verbs.js';
import type { OptionTable } from '../options.js';

export const command = 'stats [name]';
export const describe =
  "Show the CPU time and memory (RSS, PSS) of one instance's guest, or of all";

export const options = {
  json: { type: 'boolean', describe: 'print the figures as JSON (GET /v1/instances/NAME/stats)' },
  socket: socketOption,
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 stats [--json] [--socket PATH] [NAME]\n\n${describe}.`)
    .options(options)
    .positional('name', { type: 'string', describe: 'the instance (default: every one)' })
    .example('$0 stats', 'a table of every instance')
    .example('$0 stats --json web', 'one, with what plug-ins add');
}

interface Figures {
  name: string;
  pid: number | null;
  cpu: { userSeconds: number; systemSeconds: number } | null;
  memory: { rssBytes: number; pssBytes: number | null } | null;
}

export async function handler(args: { name?: string; json?: boolean; socket?: string }) {
  const { call } = await import('../../daemon/client.js');
  const socket = await socketPath(args.socket);
  const names =
    args.name === undefined
      ? (await call<Instance[]>(socket, 'GET', '/v1/instances')).map((i) => i.name)
      : [args.name];
  const all: Figures[] = [];
  for (const name of names)
    all.push(await call<Figures>(socket, 'GET', `/v1/instances/${encodeURIComponent(name)}/stats`));
  if (args.json) {
    const out = args.name === undefined ? all : all[0];
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const rows = all.map((s) => [
    s.name,
    s.pid ?? '—',
    s.cpu?.userSeconds.toFixed(2),
    s.cpu?.systemSeconds.toFixed(2),
    kibibytes(s.memory?.rssBytes),
    kibibytes(s.memory?.pssBytes),
  ]);
  process.stdout.write(table(['NAME', 'PID', 'USER s', 'SYSTEM s', 'RSS', 'PSS'], rows));
}
