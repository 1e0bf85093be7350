// memory.ts: guest memory size from megabytes, with upstream's message for malformed values.
import { NablaError } from '../errors.js';
import { PLAN_MAX_MEM_SIZE } from '../plan/format.js';

export const DEFAULT_MEM_MIB = 512;
export const MAX_MEM_MIB = Number(PLAN_MAX_MEM_SIZE >> 20n);

/** `--mem=MB`: a positive decimal integer of megabytes (upstream rejects 0 and non-numbers). */
const malformed = (detail = '') =>
  new NablaError(`Malformed argument to --mem${detail}`, { code: 'OPTION_INVALID' });

export function parseMemMiB(text: string): number {
  if (!/^[0-9]+$/.test(text) || /^0+$/.test(text)) throw malformed();
  return memMiB(Number(text));
}

export function memMiB(mib: number): number {
  if (!Number.isSafeInteger(mib) || mib <= 0) throw malformed();
  // Upstream trips an assertion here; a clear message is kinder.
  if (mib > MAX_MEM_MIB) {
    throw malformed(`: ${mib} MB is more than the maximum of ${MAX_MEM_MIB} MB`);
  }
  return mib;
}

export function memSizeBytes(mib: number): bigint {
  return BigInt(mib) << 20n;
}
