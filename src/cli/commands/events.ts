// events.ts: `nabla events [--json]` — what happens to the daemon's instances, as it happens.
import type { Argv } from 'yargs';
import type { DaemonEvent } from '../../daemon/schema.js';
import { socketOption, socketPath } from '../daemon-verbs.js';
import type { OptionTable } from '../options.js';

export const command = 'events';
export const describe =
  'Print what happens to the instances (create, start, exit, restart, stop, remove, crash-loop) until interrupted';

export const options = {
  json: { type: 'boolean', describe: 'one JSON object per line, as the daemon sends them' },
  socket: socketOption,
} as const satisfies OptionTable;

export function builder(yargs: Argv) {
  return yargs
    .usage(`usage: $0 events [--json] [--socket PATH]\n\n${describe}.`)
    .options(options)
    .example('$0 events --json | jq -c "select(.type == \\"exit\\")"', 'exits only');
}

/** `14:02:03.123 exit web status=1 signal=null`. */
function line(event: DaemonEvent): string {
  const { time, type, instance, ...rest } = event;
  const detail = Object.entries(rest).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return `${[time, type, instance, ...detail].join(' ')}\n`;
}

export async function handler(args: { json?: boolean; socket?: string }): Promise<void> {
  const { stream } = await import('../../daemon/client.js');
  let partial = '';
  await stream(await socketPath(args.socket), '/v1/events', (text) => {
    if (args.json) {
      process.stdout.write(text);
      return;
    }
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l !== '') process.stdout.write(line(JSON.parse(l) as DaemonEvent));
  });
}
