// live-guest.ts: inspects a running guest: /proc status and descriptors, and its installed BPF.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { tool } from './paths.js';

/** Resolves once `text` has appeared on the stream (the guest has booted that far). */
export function waitFor(stream: Readable, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () =>
        reject(
          new Error(`timed out waiting for ${JSON.stringify(text)}; saw ${JSON.stringify(seen)}`),
        ),
      timeoutMs,
    );
    stream.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export function procStatus(pid: number): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

export function openDescriptors(pid: number): Record<number, string> {
  const fds: Record<number, string> = {};
  for (const name of readdirSync(`/proc/${pid}/fd`))
    fds[Number(name)] = readlinkSync(`/proc/${pid}/fd/${name}`);
  return fds;
}

/** The filter the kernel holds for `pid`, read back with PTRACE_SECCOMP_GET_FILTER. */
export function installedFilter(pid: number): Buffer {
  const result = spawnSync(tool('seccomp-dump'), [String(pid)], { maxBuffer: 1 << 20 });
  if (result.status !== 0)
    throw new Error(`seccomp-dump ${pid} failed: ${result.stderr.toString()}`);
  return result.stdout;
}
