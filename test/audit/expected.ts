// expected.ts: docs/abi.md §5 written out for the audit tests, and helpers to read a report's allowlist.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';
import type { AuditReport } from '../../src/audit/report.js';
import { ROOT } from '../helpers/paths.js';

/** One allowed alternative: "syscall: a0 eq 1, a2 eq 512" with decimal values. */
export type Allowed = string;

const eq = (index: number, value: bigint | number) => `a${index} eq ${value}`;
const le = (index: number, value: bigint | number) => `a${index} le ${value}`;
const rule = (syscall: string, ...conditions: string[]) => `${syscall}: ${conditions.join(', ')}`;

// The descriptors the guest sees (src/plan/layout.ts): 3 the epoll set, 4 the timerfd.
const EPOLL_FD = 3;
const TIMER_FD = 4;
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const ARCH_SET_FS = 0x1002;

/** docs/abi.md §5, core rows: every guest. */
export const CORE: Allowed[] = [
  rule('write', eq(0, 1)),
  rule('exit_group'),
  rule('clock_gettime', eq(0, CLOCK_MONOTONIC)),
  rule('clock_gettime', eq(0, CLOCK_REALTIME)),
  rule('epoll_pwait', eq(0, EPOLL_FD)),
  rule('timerfd_settime', eq(0, TIMER_FD)),
  rule('arch_prctl', eq(0, ARCH_SET_FS)),
];

/** §5 block row: this descriptor, exactly one block, never past the last block. */
export const block = (fd: number, blockSize: number, capacity: bigint): Allowed[] =>
  ['pread64', 'pwrite64'].map((s) =>
    rule(s, eq(0, fd), eq(2, blockSize), le(3, capacity - BigInt(blockSize))),
  );

/** §5 net row: this descriptor. */
export const net = (fd: number): Allowed[] => [rule('read', eq(0, fd)), rule('write', eq(0, fd))];

/** The report's allowlist in the same words, sorted (as §5's rows are a set). */
export function allowedOf(report: AuditReport): Allowed[] {
  return report.allowlist
    .flatMap((s) =>
      s.alternatives.map((alt) =>
        rule(s.name, ...alt.conditions.map((c) => `a${c.index} ${c.op} ${c.value}`)),
      ),
    )
    .sort();
}

export const sorted = (rows: Allowed[]) => [...rows].sort();

const schema = JSON.parse(readFileSync(`${ROOT}docs/audit-report.schema.json`, 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** Fails with ajv's errors unless `value` (as JSON would carry it) satisfies the published schema. */
export function expectValidReport(value: unknown): void {
  const data = JSON.parse(JSON.stringify(value));
  const ok = validate(data);
  expect(validate.errors ?? [], 'docs/audit-report.schema.json').toEqual([]);
  expect(ok).toBe(true);
}
