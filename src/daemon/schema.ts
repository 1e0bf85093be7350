// schema.ts: the daemon API's request and response shapes (zod), and the one check that turns a violation into a 400 naming the field.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { MFT_NAME_MAX } from '../elf/abi.js';
import { NablaError } from '../errors.js';
import { MAX_MEM_MIB } from '../launch/memory.js';

/** An instance's name: also a file-system-safe word (it may name a cgroup or a log). */
export const INSTANCE_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
/** A manifest device name, as nabla-run's `--block:NAME=` takes it. */
const DEVICE_NAME = new RegExp(`^[A-Za-z0-9]{1,${MFT_NAME_MAX}}$`);
/** `tcp:PORT`, `tcp:HOST:PORT` or `tcp:[V6]:PORT`. */
export const SUMMON_LISTEN = /^tcp:(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?([0-9]{1,5})$/;

export const RESTART_POLICIES = ['no', 'on-failure', 'always'] as const;
export const INSTANCE_STATES = [
  'created',
  'starting',
  'running',
  'stopped',
  'exited',
  'backoff',
  'crash-loop',
  'summonable',
] as const;

const noNul = (s: string) => !s.includes('\0');

export const Limits = z
  .strictObject({
    memory: z.number().int().min(4096).optional().describe('memory limit in bytes'),
    cpu: z
      .number()
      .gt(0)
      .max(1024)
      .optional()
      .describe('CPUs the guest may use (0.5: half of one)'),
    pids: z.number().int().min(1).optional().describe('processes and threads at most'),
  })
  .describe('resource limits, enforced with the host cgroup controllers');

export const Summon = z
  .strictObject({
    listen: z
      .string()
      .regex(SUMMON_LISTEN, 'expected tcp:[HOST:]PORT')
      .describe('where the daemon listens for the guest: tcp:[HOST:]PORT'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .describe("the guest's own port, on the address of its tap, where connections are carried"),
    idleSeconds: z
      .number()
      .gt(0)
      .max(86_400 * 365)
      .default(60)
      .describe('stop the guest after this long without a connection (default 60)'),
  })
  .describe(
    "start the guest only when a connection arrives (summoning); the daemon gives it a tap of its own as the net device 'service'",
  );

/** What an instance is made of: recorded as given, read back by inspect. */
export const InstanceConfig = z.strictObject({
  name: z.string().regex(INSTANCE_NAME, `expected ${INSTANCE_NAME.source}`),
  kernel: z
    .string()
    .refine((k) => isAbsolute(k) && noNul(k), 'expected an absolute path')
    .describe('the unikernel (.nabla / .spt), an absolute path on the daemon host'),
  args: z.array(z.string().refine(noNul, 'expected no NUL')).default([]),
  memory: z.number().int().min(1).max(MAX_MEM_MIB).optional().describe('guest memory in MiB'),
  block: z
    .record(
      z.string().regex(DEVICE_NAME),
      z.string().refine(isAbsolute, 'expected an absolute path'),
    )
    .optional()
    .describe('block devices: manifest name to backing file'),
  net: z
    .record(z.string().regex(DEVICE_NAME), z.string().min(1).max(15))
    .optional()
    .describe('network devices: manifest name to an existing tap interface'),
  restart: z.enum(RESTART_POLICIES).default('no'),
  limits: Limits.optional(),
  summon: Summon.optional(),
});
export type InstanceConfig = z.infer<typeof InstanceConfig>;

/** POST /v1/instances: the configuration, and whether to start it now. */
export const CreateRequest = InstanceConfig.extend({
  start: z.boolean().default(true).describe('start the guest now (default true)'),
});

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const count = (max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(max));

export const StopQuery = z.strictObject({
  timeout: count(3600).optional().describe('seconds between SIGTERM and SIGKILL (default 10)'),
});
export const DeleteQuery = z.strictObject({
  force: flag.optional().describe('kill a running guest first'),
});
export const LogsQuery = z.strictObject({
  tail: count(1_000_000).optional().describe('the last N lines only'),
  follow: flag.optional().describe('keep the stream open and send new lines as they come'),
});
export const EmptyQuery = z.strictObject({});

export const ExitStatus = z.object({
  status: z.number().int().describe('as a shell shows it: the code, or 128 + signal'),
  signal: z.string().nullable(),
  oomKilled: z
    .boolean()
    .optional()
    .describe("with a memory limit: whether the kernel's OOM killer ended it"),
});

export const Instance = z.object({
  name: z.string(),
  state: z.enum(INSTANCE_STATES),
  pid: z.number().int().nullable(),
  exit: ExitStatus.nullable(),
  restarts: z.number().int(),
  config: InstanceConfig,
  createdAt: z.string().describe('ISO 8601'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Instance = z.infer<typeof Instance>;

export const Version = z.object({ version: z.string(), api: z.literal('v1') });

export const Stats = z
  .object({
    name: z.string(),
    pid: z.number().int().nullable(),
    cpu: z.object({ userSeconds: z.number(), systemSeconds: z.number() }).nullable(),
    memory: z.object({ rssBytes: z.number(), pssBytes: z.number().nullable() }).nullable(),
  })
  .catchall(z.unknown())
  .describe('null figures: the guest is not running; more keys come from plug-ins (cgroups)');

export const EVENT_TYPES = [
  'create',
  'start',
  'exit',
  'restart',
  'stop',
  'remove',
  'crash-loop',
  'summon',
  'ready',
  'idle-stop',
  'failed',
] as const;
export const Event = z
  .object({
    time: z.string(),
    type: z.enum(EVENT_TYPES),
    instance: z.string(),
  })
  .catchall(z.unknown())
  .describe('one line of the event stream (NDJSON)');
export type DaemonEvent = z.infer<typeof Event>;

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** Where a value came from, for the message: the body or the query string. */
export type Place = 'body' | 'query';

/** `limits.cpu`, `args[2]`, or `body` for the whole. */
function fieldName(path: readonly PropertyKey[], place: Place): string {
  if (path.length === 0) return place;
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** The value, or REQUEST_INVALID naming the first field that breaks the schema. */
export function parseRequest<T extends z.ZodType>(
  schema: T,
  value: unknown,
  place: Place,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const field =
    keys.length > 0
      ? fieldName([...issue.path, keys[0] as string], place)
      : fieldName(issue.path, place);
  const what =
    keys.length > 0
      ? 'unknown field'
      : /received undefined$/.test(issue.message)
        ? 'required'
        : issue.message.replace(/^Invalid input: /, '');
  throw new NablaError(`Invalid ${place}: ${field}: ${what}`, { code: 'REQUEST_INVALID' });
}
