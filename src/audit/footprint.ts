// footprint.ts: the Nabla metric — unique kernel functions a guest reaches — with ftrace, where the host allows it.
import { readFileSync, writeFileSync } from 'node:fs';
import { systemErrorText } from '../os-errors.js';

/** "ENOENT (No such file or directory)": the errno name a report reader can look up, and its text. */
function osErrorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = systemErrorText(error);
  return code && code !== text ? `${code} (${text})` : text;
}

/** Where tracefs lives: its own mount point, or under debugfs on older systems. */
const TRACEFS_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;

export type Footprint =
  | {
      status: 'measured';
      uniqueFunctions: number;
      tracer: 'function';
      tracefs: string;
      note: string;
    }
  | { status: 'unavailable'; reason: string }
  | { status: 'skipped'; reason: string };

interface Tracer {
  dir: string;
  previous: string;
}

/**
 * Finds a tracefs that offers the function tracer and selects it; otherwise the reason, with
 * the file and errno of the first step that failed, so a report can say why.
 */
function selectFunctionTracer(): Tracer | { reason: string } {
  const failures: string[] = [];
  for (const dir of TRACEFS_DIRS) {
    let available: string;
    try {
      available = readFileSync(`${dir}/available_tracers`, 'utf8').trim();
    } catch (error) {
      failures.push(`${dir}/available_tracers: ${osErrorCode(error)}`);
      continue;
    }
    if (!available.split(/\s+/).includes('function')) {
      return {
        reason: `${dir}/available_tracers offers no function tracer (${available || 'none'})`,
      };
    }
    let previous = 'nop';
    try {
      previous = readFileSync(`${dir}/current_tracer`, 'utf8').trim() || 'nop';
      writeFileSync(`${dir}/current_tracer`, 'function');
    } catch (error) {
      return {
        reason: `cannot select the function tracer in ${dir}/current_tracer: ${osErrorCode(error)}`,
      };
    }
    return { dir, previous };
  }
  const hint = failures.every((f) => f.includes(': ENOENT')) ? ' (tracefs is not mounted)' : '';
  return { reason: `${failures.join('; ')}${hint}` };
}

function write(dir: string, file: string, text: string): void {
  writeFileSync(`${dir}/${file}`, text);
}

/** Function names in a `function` tracer's text output ("task-pid [cpu] flags ts: func <-caller"). */
export function uniqueFunctions(trace: string): Set<string> {
  const found = new Set<string>();
  for (const line of trace.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /:\s+([\w.$]+)(?:\s+<-|$)/.exec(line);
    if (match?.[1]) found.add(match[1]);
  }
  return found;
}

/**
 * Traces one run of the guest. `start` starts it and returns its pid and a promise of its end
 * (null: only find out whether the host allows tracing);
 * tracing follows that pid from the moment it is known (the tender's first steps can be missed,
 * never the guest's, which runs after the tender's setup).
 */
export async function measureFootprint(
  start: (() => { pid: number; ended: Promise<unknown> }) | null,
): Promise<Footprint> {
  const tracer = selectFunctionTracer();
  if ('reason' in tracer) return { status: 'unavailable', reason: tracer.reason };
  const { dir, previous } = tracer;
  try {
    if (!start)
      return {
        status: 'skipped',
        reason: 'the function tracer is available; the guest is not run (--no-observe)',
      };
    write(dir, 'tracing_on', '0');
    write(dir, 'trace', '');
    const run = start();
    write(dir, 'set_ftrace_pid', String(run.pid));
    write(dir, 'tracing_on', '1');
    await run.ended;
    write(dir, 'tracing_on', '0');
    const count = uniqueFunctions(readFileSync(`${dir}/trace`, 'utf8')).size;
    return {
      status: 'measured',
      uniqueFunctions: count,
      tracer: 'function',
      tracefs: dir,
      note: 'unique kernel functions in the function tracer output for the guest pid, from spawn to exit',
    };
  } catch (error) {
    return { status: 'unavailable', reason: `tracing failed in ${dir}: ${osErrorCode(error)}` };
  } finally {
    // Leave the host's tracing as it was found.
    for (const [file, text] of [
      ['tracing_on', '0'],
      ['set_ftrace_pid', ''],
      ['current_tracer', previous],
    ] as const) {
      try {
        write(dir, file, text);
      } catch {
        // Restoring is best effort; the measurement itself is already decided.
      }
    }
  }
}
