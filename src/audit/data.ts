// data.ts: the reference data the audit compares against (data/*.json), checked on load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { syscallTable } from '../native/index.js';
import { DATA_DIR } from '../package/paths.js';

const UpstreamRule = z.object({
  syscall: z.string(),
  nr: z.number().int(),
  args: z.array(z.object({ index: z.number().int(), op: z.enum(['eq', 'le']), value: z.string() })),
});
const UpstreamFile = z.object({
  source: z.looseObject({ repository: z.string(), version: z.string() }),
  license: z.string(),
  core: z.array(UpstreamRule),
  /** Rules per manifest device type (BLOCK_BASIC, NET_BASIC), as upstream's modules add them. */
  devices: z.record(z.string(), z.array(UpstreamRule)),
});

export type UpstreamTable = z.infer<typeof UpstreamFile>;

function load<T>(name: string, schema: z.ZodType<T>): T {
  const path = join(DATA_DIR, name);
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: not the expected shape: ${parsed.error.message}`);
  return parsed.data;
}

export const upstreamTable = (): UpstreamTable => load('upstream-solo5-spt.json', UpstreamFile);

export interface SyscallNames {
  /** Where the names came from (the libseccomp the addon links). */
  source: string;
  byNr: ReadonlyMap<number, string>;
}

let names: SyscallNames | undefined;

/** Every x86_64 syscall libseccomp knows, by number (the addon's table, read once). */
export function x86_64Syscalls(): SyscallNames {
  names ??= { source: 'libseccomp', byNr: new Map(syscallTable()) };
  return names;
}

export function syscallNameOf(nr: number): string | null {
  return x86_64Syscalls().byNr.get(nr) ?? null;
}
