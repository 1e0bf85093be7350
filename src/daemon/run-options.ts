// run-options.ts: an instance's recorded config as the RunOptions run() and prepare() take.
import type { RunOptions } from '../api.js';
import type { InstanceConfig } from './schema.js';

/** The guest's console is piped to the daemon (its log ring); limits and summon are not run()'s. */
export function runOptionsOf(config: InstanceConfig): RunOptions {
  const options: RunOptions = { kernel: config.kernel, args: config.args, stdio: 'pipe' };
  if (config.memory !== undefined) options.memMiB = config.memory;
  if (config.block !== undefined)
    options.block = Object.entries(config.block).map(([name, path]) => ({ name, path }));
  if (config.net !== undefined)
    options.net = Object.entries(config.net).map(([name, iface]) => ({ name, iface }));
  return options;
}
