// last-stage-times.mjs: what the tender's last stage costs per start, from the kernel's syscall tracepoints (root, perf).
//
//   node scripts/last-stage-times.mjs [N] [KERNEL]
//
// Starts KERNEL (default: the hello example) N times (default 300) in a row with run(), under
// `perf record` of a few syscall tracepoints, and prints the median time of each part of the
// last stage (tenders/spt/launch.c, launch_x86_64.S) and of the whole start, from the tender's
// execve to its seccomp returning. NABLA_TENDER picks another tender, to compare two builds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../dist/package/paths.js';

const N = Number(process.argv[2] ?? 300);
const kernel = process.argv[3] ?? packagePath('build/examples/hello.nabla');

if (process.env.NABLA_LAST_STAGE_CHILD) {
  const { run } = await import('../dist/index.js');
  for (let i = 0; i < N; i++) await run({ kernel, stdio: 'pipe' }).output();
  process.exit(0);
}

const events = [
  'sys_enter_execve',
  'sys_enter_openat',
  'sys_exit_close',
  'sys_enter_prctl',
  'sys_enter_mmap',
  'sys_enter_munmap',
  'sys_exit_munmap',
  'sys_enter_arch_prctl',
  'sys_exit_seccomp',
];
const dir = mkdtempSync(join(tmpdir(), 'nabla-last-stage-'));
const data = join(dir, 'perf.data');
const rec = spawnSync(
  'perf',
  [
    'record',
    '-q',
    '-a',
    '-o',
    data,
    ...events.flatMap((e) => ['-e', `syscalls:${e}`]),
    '--',
    process.execPath,
    ...process.argv.slice(1),
  ],
  { env: { ...process.env, NABLA_LAST_STAGE_CHILD: '1' }, stdio: ['ignore', 'ignore', 'inherit'] },
);
if (rec.status !== 0) throw new Error(`perf record failed (status ${rec.status}): run as root`);
const script = spawnSync('perf', ['script', '-i', data, '-F', 'comm,pid,time,event,trace'], {
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
rmSync(dir, { recursive: true, force: true });

/** pid -> [time (s), event, arguments] of every event, in order. */
const byPid = new Map();
for (const line of script.stdout.split('\n')) {
  const m = /^\s*(\S+)\s+(\d+)\s+([\d.]+):\s+syscalls:(\w+):\s*(.*)$/.exec(line);
  if (!m) continue;
  const [, comm, pid, time, event, args] = m;
  if (event !== 'sys_enter_execve' && comm !== 'nabla-spt') continue;
  if (!byPid.has(pid)) byPid.set(pid, []);
  byPid.get(pid).push([Number(time), event, args]);
}

const parts = {
  'whole start: execve .. seccomp returns': [],
  'read /proc/self/maps (open .. close)': [],
  'no_new_privs .. the trampoline mmap (registers, lines)': [],
  'the trampoline mmap .. the first munmap (fill, rseq, mprotect, call)': [],
  'the munmap calls': [],
  'arch_prctl .. seccomp returns': [],
};
for (const list of byPid.values()) {
  const at = (event, from = 0, match = '') =>
    list.find(([t, e, a]) => e === event && t >= from && a.includes(match))?.[0];
  const exec = at('sys_enter_execve');
  const nnp = at('sys_enter_prctl', 0, 'option: 0x00000026'); // PR_SET_NO_NEW_PRIVS
  const done = exec === undefined ? undefined : at('sys_exit_seccomp', exec);
  if (exec === undefined || done === undefined) continue;
  // The whole start is there for any tender (a tender without a trampoline has no parts).
  parts['whole start: execve .. seccomp returns'].push(done - exec);
  if (nnp === undefined) continue;
  const opens = list.filter(([t, e]) => e === 'sys_enter_openat' && t < nnp);
  const open = opens.at(-1)?.[0]; // the last open before: /proc/self/maps
  const close = open === undefined ? undefined : at('sys_exit_close', open);
  const mmap = at('sys_enter_mmap', nnp);
  const firstUnmap = at('sys_enter_munmap', nnp);
  const unmaps = list.filter(([t, e]) => e === 'sys_exit_munmap' && t > nnp);
  const fs = at('sys_enter_arch_prctl', nnp);
  const seccomp = at('sys_exit_seccomp', nnp);
  const all = [open, close, mmap, firstUnmap, fs, seccomp];
  if (all.some((t) => t === undefined) || unmaps.length === 0) continue;
  parts['read /proc/self/maps (open .. close)'].push(close - open);
  parts['no_new_privs .. the trampoline mmap (registers, lines)'].push(mmap - nnp);
  parts['the trampoline mmap .. the first munmap (fill, rseq, mprotect, call)'].push(
    firstUnmap - mmap,
  );
  parts['the munmap calls'].push(unmaps.at(-1)[0] - firstUnmap);
  parts['arch_prctl .. seccomp returns'].push(seccomp - fs);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, xs] of Object.entries(parts)) {
  const shown = xs.length === 0 ? 'no samples' : `${Math.round(median(xs) * 1e6)} us`;
  console.log(`${name}: ${shown} (median of ${xs.length})`);
}
