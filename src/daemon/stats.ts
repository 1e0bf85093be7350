// stats.ts: a running guest's figures from /proc: CPU time (/proc/PID/stat) and memory (smaps_rollup), plus what plug-ins add.
import { readFile } from 'node:fs/promises';
import type { InstanceView, StatsCollector } from './hooks.js';

/** USER_HZ: the unit of /proc's CPU times, 100 on every Linux ABI nabla runs on. */
const TICKS_PER_SECOND = 100;
/** x86_64's page size: the unit of /proc/PID/stat's rss. */
const PAGE_BYTES = 4096;

export interface ProcFigures {
  cpu: { userSeconds: number; systemSeconds: number };
  memory: { rssBytes: number; pssBytes: number | null };
}

/**
 * The fields of /proc/PID/stat after the command name, which is in parentheses and may hold
 * spaces or parentheses itself: the text after its last `)`. Field 3 (state) is [0].
 */
function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** `Pss:  123 kB` from smaps_rollup, in bytes. */
function rollupBytes(text: string, key: string): number | null {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * The figures of process `pid`, or null when it is gone. smaps_rollup of a guest (not
 * dumpable) is readable by root only: without it, RSS comes from the stat file and PSS is null.
 */
export async function procFigures(pid: number): Promise<ProcFigures | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const f = statFields(stat);
  // Fields 14 and 15 (utime, stime) and 24 (rss, pages), counted from 3 at index 0.
  const cpu = {
    userSeconds: Number(f[11]) / TICKS_PER_SECOND,
    systemSeconds: Number(f[12]) / TICKS_PER_SECOND,
  };
  let rollup = '';
  try {
    rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    // not root: the stat file's RSS, no PSS
  }
  return {
    cpu,
    memory: {
      rssBytes: rollupBytes(rollup, 'Rss') ?? Number(f[21]) * PAGE_BYTES,
      pssBytes: rollupBytes(rollup, 'Pss'),
    },
  };
}

/** The stats answer: /proc's figures, then each collector's keys, in order. */
export async function instanceStats(
  instance: InstanceView,
  pid: number | null,
  collectors: readonly StatsCollector[],
): Promise<Record<string, unknown>> {
  const figures = pid === null ? null : await procFigures(pid);
  let stats: Record<string, unknown> = {
    name: instance.name,
    pid: figures === null ? null : pid,
    cpu: figures?.cpu ?? null,
    memory: figures?.memory ?? null,
  };
  for (const collect of collectors) stats = { ...stats, ...(await collect(instance, pid)) };
  return stats;
}
