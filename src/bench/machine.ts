// machine.ts: the report's header: CPU, cores, memory, OS, kernel, Node, the compiler and the tools a run used.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import type { MachineInfo } from './types.js';

/** The first line a program prints for `args`, or undefined when it is missing or fails. */
function firstLine(file: string, args: readonly string[]): string | undefined {
  try {
    const out = execFileSync(file, [...args], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.split('\n')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** The installed version of a Debian package, if dpkg knows it. */
function debianPackage(name: string): string | undefined {
  // dpkg's own format syntax: a literal '${Version}', not a template placeholder.
  return firstLine('dpkg-query', ['-W', `-f=${'$'}{Version}`, name]);
}

export function machineInfo(): MachineInfo {
  const tools: Record<string, string> = {};
  const bwrap = firstLine('bwrap', ['--version']);
  if (bwrap) tools.bwrap = bwrap;
  // The OCI peers (oci.ts): runsc prints "runsc version 0.0~20221219.0", crun "crun version 1.8.1".
  for (const runtime of ['runsc', 'crun']) {
    const version = firstLine(runtime, ['--version']);
    if (version) tools[runtime] = version;
  }
  const libseccomp = debianPackage('libseccomp2');
  if (libseccomp) tools.libseccomp = libseccomp;
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    os: osName(),
    kernel: release(),
    node: process.version,
    compiler: firstLine('cc', ['--version']) ?? 'unknown',
    tools,
  };
}
