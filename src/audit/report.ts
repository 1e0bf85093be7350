// report.ts: the audit report's shape (published as docs/audit-report.schema.json) and its version.
import type { DeviceType } from '../elf/abi.js';
import type { AddressSpace } from './address-space.js';
import type { ClockSection } from './clock.js';
import type { Footprint } from './footprint.js';

/** Bumped on any change of shape: major when a field goes or changes meaning, minor when one is added. */
export const AUDIT_SCHEMA_VERSION = '1.4.0';

export type Abi = 'x86_64' | 'x32' | 'i386';

/**
 * One argument comparison; values are decimal strings (they are 64-bit). `ge` and `half`
 * (the comparison is on one 32-bit half of the argument) appear only for a filter that no
 * policy table here produces.
 */
export interface ReportCondition {
  index: number;
  op: 'eq' | 'le' | 'ge';
  value: string;
  half?: 'hi32' | 'lo32';
}

export interface AllowedSyscall {
  nr: number;
  name: string;
  /** Argument indexes the filter reads on this syscall's paths, or the table compares. */
  argsVaried: number[];
  /** Any one of these allows the call. */
  alternatives: Array<{
    conditions: ReportCondition[];
    /** The conditions as text, e.g. "a0 == 1" ("always" when there are none). */
    text: string;
    /** The policy table's reason for the matching rule (null: no rule in the table matches). */
    reason: string | null;
    device: string | null;
  }>;
}

export interface ReportDisagreement {
  nr: number;
  name: string | null;
  /** 'other': an architecture value that is neither x86_64 nor i386. */
  abi: Abi | 'other';
  args: string[];
  filter: 'allow' | 'kill';
  table: 'allow' | 'kill';
}

export interface CallCount {
  nr: number;
  name: string;
  count: number;
}

export type ObservationSection =
  | { status: 'skipped' | 'unavailable'; reason: string }
  | {
      status: 'observed';
      mechanism: 'ptrace';
      timeoutMs: number;
      timedOut: boolean;
      exit: { status: number; code: number | null; signal: string | null };
      /** Distinct syscalls and total calls the guest made. */
      distinct: number;
      total: number;
      calls: CallCount[];
      /** The tender's own calls before the guest started, when the recorder told them apart. */
      setupCalls: CallCount[] | null;
      denied: Array<{ nr: number; name: string; args: string[] }>;
      /** Table rules whose syscall the guest never made: candidates to tighten. */
      unusedRules: Array<{ nr: number; name: string; text: string; reason: string }>;
      stdout: string;
      /** sha256 of the filter the kernel held for the observed guest (null: not read back). */
      installedFilterSha256: string | null;
      /**
       * What the guest's address space held when its filter went in (1.3.0), read from
       * /proc/PID/maps by the recorder; or why it could not be read.
       */
      addressSpace: AddressSpace | { error: string };
    };

/** A soft and a hard resource limit: decimal, or "unlimited". */
export interface ReportLimit {
  soft: string;
  hard: string;
}

/**
 * How the hosted build ran (1.1.0), as the recorder read it from /proc when the program
 * started (null where it could not be read). Decided like the guest's (privilege.ts).
 */
export interface HostedSandbox {
  /** The user it ran as: the decided name ('nobody', --user's, 'as started') and its ids. */
  user: { name: string; uid: number | null; gid: number | null; groups: number[] | null };
  /** Namespaces not shared with the recorder, those shared, and those the host refused. */
  namespaces: {
    new: string[];
    shared: string[];
    refused: Array<{ name: string; reason: string }>;
  };
  /** The capability sets, hexadecimal as /proc/PID/status gives them. */
  capabilities: Record<
    'effective' | 'permitted' | 'inheritable' | 'ambient' | 'bounding',
    string | null
  >;
  noNewPrivs: boolean | null;
  /** Whether another process of its user could attach to it. */
  dumpable: boolean | null;
  rlimits: Record<'nofile' | 'nproc' | 'core', ReportLimit | null>;
  /** The descriptors it held: stdio and its devices. */
  descriptors: number[] | null;
  /** Variables in its environment. */
  environment: number | null;
}

export type HostedSection =
  | { status: 'not given' | 'skipped' | 'unavailable'; path: string | null; reason: string }
  | {
      status: 'observed';
      path: string;
      /** Where the path came from (1.1.0): --hosted, or nabla's own build of its own example. */
      from: 'option' | 'nabla example';
      timedOut: boolean;
      exit: { status: number; code: number | null; signal: string | null };
      distinct: number;
      total: number;
      calls: CallCount[];
      sandbox: HostedSandbox;
    };

/** The peers whose filters are read back from live processes (1.4.0). */
export type PeerId = 'gvisor' | 'crun-docker';

/**
 * A peer sandbox's enforced host filter (1.4.0): started, its filter stack read back with
 * PTRACE_SECCOMP_GET_FILTER, decoded by the audit's path prover, stopped. Or why not.
 */
export type PeerSection =
  | {
      id: PeerId;
      label: string;
      status: 'not installed' | 'unavailable';
      /** `--version`'s first line, when it ran. */
      version: string | null;
      reason: string;
    }
  | {
      id: PeerId;
      label: string;
      status: 'measured';
      version: string;
      /** The executable found in PATH. */
      binary: string;
      /** How it was started. */
      setup: string;
      /** Which of its processes was read. */
      process: string;
      /** Filters in the process's stack (all apply), their instructions, each one's sha256. */
      filters: number;
      instructions: number;
      sha256: string[];
      /** Paths the prover followed, and those where it took a masked or bit test both ways. */
      paths: number;
      approximatePaths: number;
      /** x86_64 syscalls let through for some arguments; of those, the ones with argument tests. */
      reachable: number;
      argumentFiltered: number;
      /** Reachable syscalls no witness input confirmed (each filter run on one; 0: none). */
      unwitnessed: number;
      syscalls: Array<{ nr: number; name: string; argumentFiltered: boolean; witnessed: boolean }>;
    };

export interface ComparisonRow {
  id: 'unikernel' | 'upstream' | 'docker' | 'hosted' | PeerId;
  label: string;
  /** Syscalls the sandbox lets through (null: not known). */
  allowed: number | null;
  /** Of those, the ones allowed for some argument values only (1.4.0; null: not known or no filter). */
  argumentFiltered: number | null;
  /** Distinct syscalls seen made in this run (null: not observed). */
  observed: number | null;
  source: string;
}

/** One attached device (each kind fills its own fields: src/devices/kind.ts, reportFields). */
export interface ReportDevice {
  index: number;
  name: string;
  type: DeviceType;
  attachment: string;
  guestFd: number;
  blockSize: number | null;
  capacity: string | null;
  /** A block device opened read-only (1.4.0); null for other kinds. */
  readOnly: boolean | null;
  mtu: number | null;
}

/** The fields of a device entry that are some kind's: each kind fills its own (src/devices/kind.ts). */
export type KindReportFields = Omit<
  ReportDevice,
  'index' | 'name' | 'type' | 'attachment' | 'guestFd'
>;

/** Every kind's fields null; a device's kind then sets its own. */
export const NO_KIND_FIELDS: KindReportFields = {
  blockSize: null,
  capacity: null,
  readOnly: null,
  mtu: null,
};

export interface AuditReport {
  kind: 'nabla-audit-report';
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  generatedAt: string;
  tool: { name: 'nabla'; version: string };
  host: { kernel: string; arch: string; syscallNames: string };
  unikernel: {
    path: string;
    bytes: number;
    sha256: string;
    args: string[];
    memMiB: number;
    devices: ReportDevice[];
  };
  filter: {
    instructions: number;
    bytes: number;
    sha256: string;
    defaultAction: 'kill-process';
    pfc: string;
  };
  verification: {
    passed: boolean;
    cases: number;
    probed: Record<Abi, string>;
    disagreementCount: number;
    /** The first disagreements (at most 50). */
    disagreements: ReportDisagreement[];
    /** Decoded alternatives with no table rule, and table rules the filter does not contain. */
    unmatched: { filter: string[]; table: string[] };
  };
  allowlist: AllowedSyscall[];
  observation: ObservationSection;
  /** Whether the guest reads the clock without a system call, and why (1.2.0). */
  clock: ClockSection;
  comparison: {
    rows: ComparisonRow[];
    hosted: HostedSection;
    /** Other sandboxes' enforced filters, read from live processes (1.4.0). */
    peers: PeerSection[];
    /** True when this filter allows exactly the syscalls upstream solo5-spt allows for the same devices. */
    sameSyscallsAsUpstream: boolean;
  };
  footprint: Footprint;
}

/** "a0 == 1 && a3 <= 1048064", or "always". */
export function conditionsText(conditions: readonly ReportCondition[]): string {
  if (conditions.length === 0) return 'always';
  return conditions
    .map((c) => {
      const n = BigInt(c.value);
      const shown = n > 4096n ? `0x${n.toString(16)}` : c.value;
      const op = c.op === 'eq' ? '==' : c.op === 'le' ? '<=' : '>=';
      return `a${c.index}${c.half ? `.${c.half}` : ''} ${op} ${shown}`;
    })
    .join(' && ');
}
