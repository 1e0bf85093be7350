// run-syntax.ts: nabla-run's options, each described once (name, syntax, help, how it is read into RunOptions and written back); the usage, both parsers, `nabla run`'s suggestions and the docs test read this.
import type { RunOptions } from './api.js';
import type { DeviceKind, OptionForm } from './devices/kind.js';
import { deviceKinds } from './devices/registry.js';
import { NablaError } from './errors.js';
import { parseMemMiB } from './launch/memory.js';
import { escapeText } from './text-escape.js';

/** solo5-spt's options, or nabla-run's own (the usage lists them apart). */
export type OptionGroup = 'solo5-spt' | 'nabla-run';

/**
 * One option nabla-run takes before KERNEL. `takes` says how it is written: 'flag' (--core),
 * 'value' (--mem=MB), 'device' (--block:NAME=PATH: a device kind's, src/devices/), or 'action'
 * (--help, --version: found before anything else is read).
 */
export interface RunOption {
  /** As it is looked up and suggested: `--mem`, `--block` (for --block:NAME=PATH). */
  name: string;
  group: OptionGroup;
  takes: 'flag' | 'value' | 'device' | 'action';
  /** Its lines in the usage; `$0` in the help stands for the program's name. */
  forms: readonly OptionForm[];
  /**
   * `nabla audit` takes it too. --timeout and --verbose change how long or how loudly a guest
   * runs, not what it may call: the audit refuses them. (--user and --core decide the guest's
   * privileges, and so the hosted build's: they are audited.)
   */
  audited: boolean;
}

/** An option that is not a device kind's: how its text goes into RunOptions and back. */
interface OwnOption extends RunOption {
  takes: 'flag' | 'value' | 'action';
  /** Reads the value (after `=`; '' for a flag) into `options`, in solo5-spt's words. */
  read(value: string, options: RunOptions): void;
  /** The words that give `options`' value of it (none when it is not set). */
  write(options: RunOptions): string[];
}

/** `--timeout=SECONDS`: positive, at most millisecond precision (as timeout(1) takes 1.5). */
export function parseTimeout(text: string): number {
  const match = /^([0-9]+)(?:\.([0-9]{1,3}))?$/.exec(text);
  const ms = match ? Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0')) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new NablaError(
      `Malformed argument to --timeout: '${escapeText(text)}' (expected a positive number of seconds, e.g. 10 or 1.5)`,
      { code: 'OPTION_INVALID' },
    );
  }
  return ms;
}

const form = (syntax: string, ...help: string[]): OptionForm[] => [{ syntax, help }];
const nothing = (): string[] => [];

function flag(
  name: string,
  group: OptionGroup,
  audited: boolean,
  key: 'xExecHeap' | 'core' | 'verbose',
  help: string[],
): OwnOption {
  return {
    name,
    group,
    takes: 'flag',
    forms: form(name, ...help),
    audited,
    read: (_, options) => {
      options[key] = true;
    },
    write: (options) => (options[key] === true ? [name] : []),
  };
}

const MEM: OwnOption = {
  name: '--mem',
  group: 'solo5-spt',
  takes: 'value',
  forms: form('--mem=MB', 'guest memory in MiB (default 512)'),
  audited: true,
  read: (value, options) => {
    options.memMiB = parseMemMiB(value);
  },
  write: (options) => (options.memMiB === undefined ? [] : [`--mem=${options.memMiB}`]),
};

/** The options before and after the device kinds', in the usage's order. */
const BEFORE_DEVICES: readonly OwnOption[] = [MEM];
const AFTER_DEVICES: readonly OwnOption[] = [
  flag('--x-exec-heap', 'solo5-spt', true, 'xExecHeap', [
    'leave guest memory outside its segments executable',
  ]),
  {
    name: '--help',
    group: 'solo5-spt',
    takes: 'action',
    forms: form('--help', 'show this help'),
    audited: true,
    read: nothing,
    write: nothing,
  },
  {
    name: '--version',
    group: 'solo5-spt',
    takes: 'action',
    forms: form('--version', 'show the version and the Solo5 ABI version'),
    audited: true,
    read: nothing,
    write: nothing,
  },
  {
    name: '--user',
    group: 'nabla-run',
    takes: 'value',
    forms: form(
      '--user=NAME|UID[:GROUP|GID]',
      'the user the guest runs as (default when root: nobody; without',
      'root the guest keeps your ids and another user is an error)',
    ),
    audited: true,
    read: (value, options) => {
      if (value === '')
        throw new NablaError("Malformed argument to --user: '' (expected NAME|UID[:GID])", {
          code: 'OPTION_INVALID',
        });
      options.user = value;
    },
    write: (options) => (options.user === undefined ? [] : [`--user=${options.user}`]),
  },
  {
    name: '--timeout',
    group: 'nabla-run',
    takes: 'value',
    forms: form(
      '--timeout=SECONDS',
      'kill the guest after SECONDS (e.g. 10, 1.5): it ends with 137',
      '(SIGKILL) and "$0: guest timed out after SECONDS s"',
    ),
    audited: false,
    read: (value, options) => {
      options.timeoutMs = parseTimeout(value);
    },
    write: (options) =>
      options.timeoutMs === undefined ? [] : [`--timeout=${options.timeoutMs / 1000}`],
  },
  flag('--core', 'nabla-run', true, 'core', [
    'allow core dumps (default: none, and the guest is not dumpable)',
  ]),
  flag('--verbose', 'nabla-run', false, 'verbose', [
    'print each sandboxing step, and each fallback, on stderr',
  ]),
];

/** A device kind's options, listed with solo5-spt's (whose --block and --net they are) unless nabla's own. */
const deviceOptions = (kind: DeviceKind): RunOption[] =>
  kind.options.map((o) => ({
    name: `--${o.name}`,
    group: o.group ?? 'solo5-spt',
    takes: 'device',
    forms: o.forms,
    audited: true,
  }));

/** nabla-run's own options (not a device kind's), by name. */
export function ownOption(name: string): OwnOption | undefined {
  return [...BEFORE_DEVICES, ...AFTER_DEVICES].find((o) => o.name === name);
}

/** Every option nabla-run takes, in the order its usage lists them (the device kinds' after --mem). */
export function nablaRunOptions(): RunOption[] {
  return [...BEFORE_DEVICES, ...deviceKinds().flatMap(deviceOptions), ...AFTER_DEVICES];
}

/** Their names, for suggestions and for telling nabla-run's options from others. */
export function nablaRunOptionNames(): string[] {
  return nablaRunOptions().map((o) => o.name);
}

/**
 * One option as a synopsis names it: its form, or its forms with their values joined when
 * they differ only there (`--net:NAME=IFACE|@FD`).
 */
export function synopsis(option: RunOption): string {
  const [first, ...rest] = option.forms.map((f) => f.syntax);
  const head = (first ?? '').split('=', 1)[0] as string;
  if (rest.length === 0 || !rest.every((s) => s.startsWith(`${head}=`))) return first ?? '';
  return [first ?? '', ...rest.map((s) => s.slice(head.length + 1))].join('|');
}

/** The usage's lines for a group of options: the syntax in a column, the help beside it. */
export function optionLines(group: OptionGroup, prog: string): string {
  const column = (text: string) => `  ${text.padEnd(33)}`;
  return nablaRunOptions()
    .filter((o) => o.group === group)
    .flatMap((o) => o.forms)
    .flatMap((f) => f.help.map((line, i) => column(i === 0 ? f.syntax : '') + line))
    .map((line) => line.replaceAll('$0', prog))
    .join('\n');
}

/**
 * RunOptions as nabla-run's words before KERNEL, in the usage's order (the inverse of
 * parseSptArgs): for the bench, which starts nabla-run and a hosted build with the same
 * devices, and for the audit's hosted run (`devices`: the words for its devices instead).
 */
export function runOptionWords(options: RunOptions, devices?: readonly string[]): string[] {
  const entries = options as unknown as Record<string, readonly object[] | undefined>;
  const deviceWords =
    devices ??
    deviceKinds().flatMap((kind) =>
      (entries[kind.key] ?? []).flatMap((entry) => kind.toCommandLine(entry)),
    );
  return [
    ...BEFORE_DEVICES.flatMap((o) => o.write(options)),
    ...deviceWords,
    ...AFTER_DEVICES.flatMap((o) => o.write(options)),
  ];
}
