// up.ts: `nabla up [OPTIONS] NAME KERNEL [--] [ARGS]` — creates an instance on the daemon and starts it, with nabla-run's device syntax.
import { resolve } from 'node:path';
import { parseSummonAddress } from '../../daemon/summon/address.js';
import { NablaError } from '../../errors.js';
import { socketPath } from '../daemon-verbs.js';
import { printable, quoted, usageError } from '../options.js';
import { didYouMean } from '../suggest.js';

export const command = 'up';
export const describe =
  'Create an instance on the daemon and start it: `nabla up [OPTIONS] NAME KERNEL [ARGS]` (see `nabla up --help`)';

interface UpOption {
  name: string;
  syntax: string;
  describe: string;
  /** Reads the value into the request (flags get ''). */
  read(value: string, request: UpRequest): void;
  flag?: boolean;
}

interface UpRequest {
  name?: string;
  kernel?: string;
  args: string[];
  memory?: number;
  block?: Record<string, string>;
  net?: Record<string, string>;
  restart?: string;
  limits?: { memory?: number; cpu?: number; pids?: number };
  summon?: { listen?: string; port?: number; idleSeconds?: number };
  start?: boolean;
  socket?: string;
}

const expected = (what: string, option: string, value: string) =>
  new NablaError(`Expected ${what} for ${option} but received ${quoted(value)}`, {
    code: 'OPTION_INVALID',
    showUsage: true,
  });

function wholeNumber(option: string, value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw expected('a whole number >= 1', option, value);
  return n;
}

/** `512`, `64K`, `256M`, `2G` (powers of 1024): bytes. */
function byteSize(option: string, value: string): number {
  const m = /^([0-9]+)([KMG]?)$/i.exec(value);
  const scale = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[(m?.[2] ?? '').toUpperCase()] ?? 1;
  const n = m ? Number(m[1]) * scale : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw expected('bytes (512, 64K, 256M, 2G)', option, value);
  return n;
}

const limits = (r: UpRequest) => {
  r.limits ??= {};
  return r.limits;
};

const summon = (r: UpRequest) => {
  r.summon ??= {};
  return r.summon;
};

const OPTIONS: UpOption[] = [
  {
    name: '--mem',
    syntax: '--mem=MB',
    describe: 'guest memory in MiB (default 512)',
    read: (v, r) => {
      r.memory = wholeNumber('--mem', v);
    },
  },
  {
    name: '--block',
    syntax: '--block:NAME=PATH',
    describe: 'attach the regular file PATH as the block device NAME',
    read: () => {},
  },
  {
    name: '--net',
    syntax: '--net:NAME=TAP',
    describe: 'attach the existing tap interface TAP as the network device NAME',
    read: () => {},
  },
  {
    name: '--restart',
    syntax: '--restart=POLICY',
    describe: 'no (default), on-failure or always: start the guest again when it ends',
    read: (v, r) => {
      if (!['no', 'on-failure', 'always'].includes(v))
        throw expected('no, on-failure or always', '--restart', v);
      r.restart = v;
    },
  },
  {
    name: '--memory-limit',
    syntax: '--memory-limit=BYTES',
    describe: 'memory limit of the guest (cgroup): 512M, 2G',
    read: (v, r) => {
      limits(r).memory = byteSize('--memory-limit', v);
    },
  },
  {
    name: '--cpus',
    syntax: '--cpus=N',
    describe: 'CPUs the guest may use (cgroup quota): 0.5 is half of one',
    read: (v, r) => {
      const n = /^[0-9]*\.?[0-9]+$/.test(v) ? Number(v) : Number.NaN;
      if (!(n > 0)) throw expected('a number of CPUs > 0', '--cpus', v);
      limits(r).cpu = n;
    },
  },
  {
    name: '--pids-limit',
    syntax: '--pids-limit=N',
    describe: 'processes the guest may have (cgroup)',
    read: (v, r) => {
      limits(r).pids = wholeNumber('--pids-limit', v);
    },
  },
  {
    name: '--summon',
    syntax: '--summon=tcp:[HOST:]PORT',
    describe: 'start the guest only when a connection arrives there (with --summon-port)',
    read: (v, r) => {
      try {
        parseSummonAddress(v, '--summon'); // refused here, in the option's words
      } catch (error) {
        throw new NablaError((error as Error).message, { code: 'OPTION_INVALID', showUsage: true });
      }
      summon(r).listen = v;
    },
  },
  {
    name: '--summon-port',
    syntax: '--summon-port=N',
    describe: "the guest's own port the connections are carried to (on its tap)",
    read: (v, r) => {
      const port = wholeNumber('--summon-port', v);
      if (port > 65535) throw expected('a port from 1 to 65535', '--summon-port', v);
      summon(r).port = port;
    },
  },
  {
    name: '--idle',
    syntax: '--idle=SECONDS',
    describe: 'a summoned guest is stopped after this long without a connection (default 60)',
    read: (v, r) => {
      const n = /^[0-9]*\.?[0-9]+$/.test(v) ? Number(v) : Number.NaN;
      if (!(n > 0)) throw expected('a number of seconds > 0', '--idle', v);
      summon(r).idleSeconds = n;
    },
  },
  {
    name: '--no-start',
    syntax: '--no-start',
    describe: 'record the instance without starting it (`POST /v1/instances/NAME/start` later)',
    flag: true,
    read: (_v, r) => {
      r.start = false;
    },
  },
  {
    name: '--socket',
    syntax: '--socket=PATH',
    describe: "the daemon's socket (default: the daemon's own default)",
    read: (v, r) => {
      r.socket = v;
    },
  },
];

export function usage(): string {
  const width = Math.max(...OPTIONS.map((o) => o.syntax.length)) + 2;
  return [
    'usage: nabla up [OPTIONS] NAME KERNEL [--] [ARGS...]',
    '',
    'Create the instance NAME on the daemon, running KERNEL with ARGS, and start it. Options',
    "come before NAME; every word after KERNEL is the guest's. NAME: [a-z0-9][a-z0-9_.-]*.",
    '',
    'Options:',
    ...OPTIONS.map((o) => `  ${o.syntax.padEnd(width)}${o.describe}`),
    `  ${'--help'.padEnd(width)}this text`,
    '',
    'Examples:',
    '  nabla up --net:service=tap0 --restart=on-failure web build/examples/http.nabla',
    '  nabla up --mem=64 --memory-limit=128M hello build/examples/hello.nabla Hello',
    '  nabla up --summon=tcp:8080 --summon-port=80 --idle=30 --block:storage=site.img \\',
    '    site build/examples/http.nabla',
    '',
  ].join('\n');
}

const DEVICE = /^--(block|net):([A-Za-z0-9]{1,67})=(.+)$/;

/** The words, as the request POST /v1/instances takes (paths made absolute against the cwd). */
export function parseUp(argv: readonly string[]): UpRequest | 'help' {
  const request: UpRequest = { args: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('--')) break;
    if (word === '--help') return 'help';
    const device = DEVICE.exec(word);
    if (device) {
      const [, kind, name, value] = device as unknown as [string, 'block' | 'net', string, string];
      request[kind] ??= {};
      (request[kind] as Record<string, string>)[name] = kind === 'block' ? resolve(value) : value;
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    const option = OPTIONS.find((o) => o.name === name && !['--block', '--net'].includes(o.name));
    if (option === undefined) {
      const hint = didYouMean(
        name,
        OPTIONS.map((o) => o.name),
      );
      throw usageError(`Invalid option: \`${printable(word)}'${hint}`);
    }
    if (option.flag) {
      if (eq >= 0) throw usageError(`${name} takes no value`);
      option.read('', request);
      continue;
    }
    let value = eq < 0 ? argv[++i] : word.slice(eq + 1);
    if (value === undefined || value === '') throw usageError(`Missing value for ${name}`);
    value = value as string;
    option.read(value, request);
  }
  if (request.summon !== undefined) {
    if (request.summon.listen === undefined)
      throw usageError(`${request.summon.port ? '--summon-port' : '--idle'} needs --summon`);
    if (request.summon.port === undefined) throw usageError('--summon needs --summon-port');
  }
  const [name, kernel, ...args] = argv.slice(i);
  if (name === undefined) throw usageError('Missing NAME operand');
  if (kernel === undefined) throw usageError('Missing KERNEL operand');
  request.name = name;
  request.kernel = resolve(kernel);
  request.args = args[0] === '--' ? args.slice(1) : args;
  return request;
}

export async function runRaw(argv: readonly string[]): Promise<number> {
  const request = parseUp(argv);
  if (request === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const { socket, ...body } = request;
  const { call } = await import('../../daemon/client.js');
  const instance = await call<{ name: string; state: string; pid: number | null }>(
    await socketPath(socket),
    'POST',
    '/v1/instances',
    body,
  );
  const pid = instance.pid === null ? '' : ` (pid ${instance.pid})`;
  process.stdout.write(`${instance.name} ${instance.state}${pid}\n`);
  return 0;
}
