// comparison.ts: how this unikernel's surface compares with upstream solo5-spt, Docker's default profile and a hosted build.
import type { DeviceType } from '../elf/abi.js';
import { dockerProfile, upstreamTable, x86_64Syscalls } from './data.js';
import type { AllowedSyscall, ComparisonRow, HostedSection } from './report.js';

export interface UpstreamSurface {
  /** Distinct syscalls upstream's table allows for these devices. */
  syscalls: string[];
  rules: number;
  source: string;
}

/**
 * Upstream solo5-spt's table (data/upstream-solo5-spt.json) for the attached device types; a
 * type upstream does not have adds nothing (its tender would refuse such a unikernel).
 */
function upstreamSurface(deviceTypes: readonly DeviceType[]): UpstreamSurface {
  const table = upstreamTable();
  const rules = [...table.core, ...deviceTypes.flatMap((type) => table.devices[type] ?? [])];
  return {
    syscalls: [...new Set(rules.map((r) => r.syscall))].sort(),
    rules: rules.length,
    source: `${table.source.repository} ${table.source.version} (data/upstream-solo5-spt.json)`,
  };
}

export interface ComparisonInput {
  allowlist: readonly AllowedSyscall[];
  deviceTypes: readonly DeviceType[];
  /** Distinct syscalls the guest made, when it was observed. */
  guestObserved: number | null;
  hosted: HostedSection;
}

export function compare(input: ComparisonInput): {
  rows: ComparisonRow[];
  sameSyscallsAsUpstream: boolean;
} {
  const upstream = upstreamSurface(input.deviceTypes);
  const docker = dockerProfile();
  const libseccomp = x86_64Syscalls();
  const ours = input.allowlist.map((s) => s.name).sort();
  const hosted = input.hosted;
  const rows: ComparisonRow[] = [
    {
      id: 'unikernel',
      label: 'this unikernel (nabla spt)',
      allowed: ours.length,
      observed: input.guestObserved,
      source: 'the filter prepare() compiled, decoded path by path',
    },
    {
      id: 'upstream',
      label: 'upstream solo5-spt, same devices',
      allowed: upstream.syscalls.length,
      observed: null,
      source: upstream.source,
    },
    {
      id: 'docker',
      label: "Docker's default seccomp profile",
      allowed: docker.count,
      observed: null,
      source: `${docker.source.repository} ${docker.source.path} @ ${docker.source.commit.slice(0, 12)} (${docker.source.license}; data/docker-default-x86_64.json)`,
    },
    {
      id: 'hosted',
      label: 'hosted build as a normal process',
      allowed: hosted.status === 'not given' ? null : libseccomp.byNr.size,
      observed: hosted.status === 'observed' ? hosted.distinct : null,
      source:
        hosted.status === 'observed'
          ? `${hosted.path} (${hosted.timedOut ? 'stopped at the timeout' : `exit status ${hosted.exit.status}`}); allowed: every x86_64 syscall ${libseccomp.source} knows`
          : `${hosted.status}: ${hosted.reason}`,
    },
  ];
  return {
    rows,
    sameSyscallsAsUpstream: ours.join(',') === upstream.syscalls.join(','),
  };
}
