// spt-args.ts: parses solo5-spt's exact command-line syntax (docs/abi.md §7), plus nabla-run's own options, into RunOptions.
import type { RunOptions } from '../api.js';
import { textToBytes } from '../bytes.js';
import { deviceKinds } from '../devices/registry.js';
import { MFT_NAME_MAX } from '../elf/abi.js';
import { NablaError } from '../errors.js';
import { ownOption } from '../run-syntax.js';
import { escapeText } from '../text-escape.js';

export type SptCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: RunOptions };

// Device names are what upstream's sscanf accepts: [A-Za-z0-9], at most 67 characters.
const DEVICE_OPTION = new RegExp(`^--([a-z][a-z-]*):([A-Za-z0-9]{1,${MFT_NAME_MAX}})=(.+)$`);

/**
 * Upstream's line and status, then its usage screen. The Solo5 bindings' own options
 * (`--solo5:quiet`) belong to the guest, after KERNEL: for those one line says so instead of the
 * screen, which does not list them.
 */
function invalidOption(arg: string, prog: string): NablaError {
  // Quoted escaped, as every message quotes what it did not write (text-escape.ts).
  const shown = escapeText(arg);
  if (!arg.startsWith('--solo5:'))
    return new NablaError(`Invalid option: \`${shown}'`, { code: 'USAGE', showUsage: true });
  const name = escapeText(arg.split('=', 1)[0] as string);
  return new NablaError(
    [
      `Invalid option: \`${shown}'`,
      `${name} is a guest option: put it after KERNEL (${prog} [ OPTIONS ] KERNEL ${shown} ...); see --help`,
    ],
    { code: 'USAGE' },
  );
}

/** Pass 1, as upstream: find --help/--version and the KERNEL operand (the first non-option). */
function findKernel(argv: readonly string[]): SptCommand | number {
  let i = 0;
  for (; i < argv.length && argv[i]?.startsWith('-'); i++) {
    if (argv[i] === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (argv[i] === '--help') return { kind: 'help' };
    if (argv[i] === '--version') return { kind: 'version' };
  }
  return i < argv.length ? i : -1;
}

/**
 * The device kinds' options: per option, the value for each device name (the last one given,
 * in the order the names first came, as upstream keeps them), checked as each is read.
 */
class DeviceOptions {
  private readonly given = new Map<string, Map<string, unknown>>();
  private readonly parsers = new Map(
    deviceKinds().flatMap((kind) => kind.options.map((o) => [o.name, o] as const)),
  );

  /** Takes `--OPTION:NAME=VALUE`; false when it is no device kind's option. */
  take(arg: string): boolean {
    const [, option = '', name = '', value = ''] = DEVICE_OPTION.exec(arg) ?? [];
    const spec = this.parsers.get(option);
    if (spec === undefined) return false;
    const values = this.given.get(option) ?? new Map<string, unknown>();
    values.set(name, spec.parse ? spec.parse(value) : value);
    this.given.set(option, values);
    return true;
  }

  /** Each kind's RunOptions entries, after the check that a qualifying option has its device. */
  entries(): Record<string, object[]> {
    const of = (option: string) => this.given.get(option) ?? new Map<string, unknown>();
    const out: Record<string, object[]> = {};
    for (const kind of deviceKinds()) {
      for (const spec of kind.options) {
        if (spec.qualifies === undefined) continue;
        const base = this.parsers.get(spec.qualifies);
        // --block-sector-size:s given without --block:s=PATH: PATH as the base option writes it.
        const value = base?.forms[0]?.syntax.split('=').slice(1).join('=') ?? 'VALUE';
        for (const name of of(spec.name).keys()) {
          if (!of(spec.qualifies).has(name))
            throw new NablaError(
              `--${spec.name}:${name} given without --${spec.qualifies}:${name}=${value}`,
              { code: 'USAGE' },
            );
        }
      }
      const entries = kind.fromCommandLine(of);
      if (entries.length > 0) out[kind.key] = entries;
    }
    return out;
  }
}

/**
 * `argv` is lossless text (bytes.ts); KERNEL, --block paths and guest arguments come out as the
 * bytes given. `prog` names the command in the hint for a misplaced guest option. The options
 * hold only what was given (defaults are the normalisation's: api-options.ts).
 */
export function parseSptArgs(argv: readonly string[], prog = 'nabla-run'): SptCommand {
  const found = findKernel(argv);
  if (typeof found !== 'number') return found;
  if (found < 0) throw new NablaError('Missing KERNEL operand', { code: 'USAGE', showUsage: true });

  const options: RunOptions = {
    kernel: textToBytes(argv[found] as string),
    args: argv.slice(found + 1).map(textToBytes),
  };
  const devices = new DeviceOptions();
  for (const arg of argv.slice(0, found)) {
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    const own = ownOption(eq < 0 ? arg : arg.slice(0, eq));
    if (own?.takes === 'flag' && eq < 0) own.read('', options);
    else if (own?.takes === 'value' && eq >= 0) own.read(arg.slice(eq + 1), options);
    else if (!devices.take(arg)) throw invalidOption(arg, prog);
  }
  return { kind: 'run', options: { ...options, ...devices.entries() } };
}
