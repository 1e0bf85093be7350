// comparison.ts: how this unikernel's surface compares with upstream solo5-spt, Docker's default profile, the live peers and a hosted build.
import type { DeviceType } from '../elf/abi.js';
import { dockerProfile } from '../policy/docker-profile.js';
import { upstreamTable, x86_64Syscalls } from './data.js';
import type { AllowedSyscall, ComparisonRow, HostedSection, PeerSection } from './report.js';

export interface UpstreamSurface {
  /** Distinct syscalls upstream's table allows for these devices. */
  syscalls: string[];
  /** Distinct syscalls whose every rule compares an argument. */
  argumentFiltered: number;
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
  const syscalls = [...new Set(rules.map((r) => r.syscall))].sort();
  return {
    syscalls,
    argumentFiltered: syscalls.filter((name) =>
      rules.filter((r) => r.syscall === name).every((r) => r.args.length > 0),
    ).length,
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
  peers: readonly PeerSection[];
}

/** A peer's row: its decoded filter, or, when it was not measured, why. */
function peerRow(peer: PeerSection): ComparisonRow {
  if (peer.status !== 'measured')
    return {
      id: peer.id,
      label: peer.label,
      allowed: null,
      argumentFiltered: null,
      observed: null,
      source: `${peer.status}: ${peer.reason}`,
    };
  return {
    id: peer.id,
    label: peer.label,
    allowed: peer.reachable,
    argumentFiltered: peer.argumentFiltered,
    observed: null,
    source: `${peer.version}: ${peer.process}'s filter${peer.filters === 1 ? '' : ` stack (${peer.filters})`}, read back live and decoded path by path`,
  };
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
      argumentFiltered: input.allowlist.filter((s) =>
        s.alternatives.every((a) => a.conditions.length > 0),
      ).length,
      observed: input.guestObserved,
      source: 'the filter prepare() compiled, decoded path by path',
    },
    {
      id: 'upstream',
      label: 'upstream solo5-spt, same devices',
      allowed: upstream.syscalls.length,
      argumentFiltered: upstream.argumentFiltered,
      observed: null,
      source: upstream.source,
    },
    {
      id: 'docker',
      label: "Docker's default seccomp profile",
      allowed: docker.count,
      argumentFiltered: docker.allowed.filter((s) => s.when !== undefined).length,
      observed: null,
      source: `${docker.source.repository} ${docker.source.path} @ ${docker.source.commit.slice(0, 12)} (${docker.source.license}; data/docker-default-x86_64.json)`,
    },
    ...input.peers.map(peerRow),
    {
      id: 'hosted',
      label: 'hosted build as a normal process',
      allowed: hosted.status === 'not given' ? null : libseccomp.byNr.size,
      // No filter: nothing is argument-filtered.
      argumentFiltered: hosted.status === 'not given' ? null : 0,
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
