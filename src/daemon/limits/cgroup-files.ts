// cgroup-files.ts: reading and writing one cgroup file, each failure naming the file and its controller.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NablaError } from '../../errors.js';
import { systemErrorText } from '../../os-errors.js';

/** The error every failure here becomes: "CONTROLLER: FILE: why". */
export function cgroupError(controller: string, file: string, why: unknown): NablaError {
  const text = typeof why === 'string' ? why : systemErrorText(why);
  return new NablaError(`${controller}: ${file}: ${text}`, { code: 'CGROUP' });
}

export function writeCgroupFile(
  controller: string,
  dir: string,
  name: string,
  value: string,
): void {
  const file = join(dir, name);
  try {
    writeFileSync(file, value);
  } catch (error) {
    throw cgroupError(controller, file, error);
  }
}

export function readCgroupFile(controller: string, dir: string, name: string): string {
  const file = join(dir, name);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw cgroupError(controller, file, error);
  }
}

/** A file that holds one number; "max" (pids), -1 (a CFS quota) and 2^62 and more (memory): no limit, null. */
export function readCgroupNumber(controller: string, dir: string, name: string): number | null {
  const text = readCgroupFile(controller, dir, name).trim();
  if (text === 'max' || text === '-1') return null;
  if (!/^\d+$/.test(text)) throw cgroupError(controller, join(dir, name), `not a number: ${text}`);
  const value = BigInt(text);
  return value >= 1n << 62n ? null : Number(value);
}

/** A file of "key value" lines (memory.oom_control, cpu.stat, pids.events) as numbers. */
export function readCgroupKeys(
  controller: string,
  dir: string,
  name: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readCgroupFile(controller, dir, name).split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

export function cgroupFileExists(dir: string, name: string): boolean {
  return existsSync(join(dir, name));
}
