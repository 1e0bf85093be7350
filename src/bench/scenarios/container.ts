// container.ts: the container-like peer: a hosted build under bubblewrap with Docker's default seccomp profile and capabilities.
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dockerCapabilities, dockerFilter } from '../../policy/docker-profile.js';
import { type Command, capture, smokeCheck } from '../procs.js';

/*
 * What Docker does to a container, as far as it changes the cost of starting and keeping a
 * process, with bubblewrap (Debian's bwrap) instead of runc:
 *   - new mount, PID, network, IPC, UTS and cgroup namespaces (Docker's defaults; no user
 *     namespace), a read-only /usr for a root file system, and /proc, /dev and /tmp;
 *   - Docker's default capability set (src/policy/docker-profile.ts), everything else dropped;
 *   - Docker's default seccomp profile: the 298 x86_64 system calls it allows, with its argument
 *     conditions, compiled by our addon with Docker's default action, errno EPERM (a call
 *     outside the list fails instead of killing the process); bwrap installs it (--seccomp FD)
 *     with no_new_privs right before it execs the program.
 * Not modelled: the image's layers (overlayfs), cgroup limits, the veth pair and bridge, and
 * the daemon and shim processes Docker keeps per container. The comparison is therefore
 * generous to the container side.
 */

/** The seccomp filter's descriptor number in bwrap: the first after stdio. */
export const SECCOMP_FD = 3;

/** Writes the compiled profile into `dir` (once per scenario) and returns its path. */
export function writeDockerFilter(dir: string): string {
  const path = join(dir, 'docker-default.bpf');
  writeFileSync(path, dockerFilter());
  return path;
}

/**
 * bwrap's command line for `program` in a container-like sandbox, reading the filter from
 * descriptor SECCOMP_FD (open it, pass it as extraFds[0], close it after the spawn: bwrap reads
 * it to the end, so each run needs its own open file).
 */
export function bwrapArgs(
  program: string,
  args: readonly string[],
  options: { network?: boolean; binds?: ReadonlyArray<[string, string]> } = {},
): string[] {
  const inside = `/app/${basename(program)}`;
  const caps = dockerCapabilities().flatMap((cap) => ['--cap-add', cap]);
  // network: keep the caller's network namespace (a private one already, as a container's).
  const unshareNet = options.network ? [] : ['--unshare-net'];
  const binds = (options.binds ?? []).flatMap(([from, to]) => ['--ro-bind', from, to]);
  return [
    ...['--unshare-pid', ...unshareNet, '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'],
    // Ends the sandbox with bwrap, so that killing bwrap's process group never leaves one behind.
    '--die-with-parent',
    ...['--ro-bind', '/usr', '/usr'],
    ...['--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64'],
    ...['--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin'],
    ...['--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp'],
    ...['--ro-bind', program, inside, ...binds, '--chdir', '/'],
    ...['--clearenv', '--setenv', 'PATH', '/usr/bin:/bin'],
    ...['--cap-drop', 'ALL', ...caps],
    ...['--seccomp', String(SECCOMP_FD)],
    inside,
    ...args,
  ];
}

/** Runs `use` with a bwrap command for `program` whose filter descriptor is open meanwhile. */
export async function withBwrap<T>(
  filterPath: string,
  program: string,
  args: readonly string[],
  use: (command: Command) => Promise<T>,
): Promise<T> {
  const fd = openSync(filterPath, 'r');
  try {
    return await use({ file: 'bwrap', args: bwrapArgs(program, args), extraFds: [fd] });
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the container-like peer cannot run here (no bwrap, namespaces refused...), or undefined:
 * runs `program` once in the sandbox and expects `expect` in what it prints (`staysUp`: and
 * that it keeps running, as an idle guest does).
 */
export async function bwrapUnavailable(
  filterPath: string,
  program: string,
  args: readonly string[],
  expect: string,
  staysUp = false,
): Promise<string | undefined> {
  const version = await capture({ file: 'bwrap', args: ['--version'] }).catch(() => undefined);
  if (version === undefined || version.status !== 0)
    return 'bwrap not found (Debian package bubblewrap; scripts/setup.sh installs it)';
  return withBwrap(filterPath, program, args, (command) => smokeCheck(command, expect, staysUp));
}
