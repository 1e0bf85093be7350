// audit.ts: audit(options) — the syscall surface a unikernel will have, proven from the BPF a run would install.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { resolve } from 'node:path';
import { prepare, type RunOptions, run } from '../api.js';
import { MAX_TIMEOUT_MS, pickRunOptions, runOptionKeys } from '../api-options.js';
import { bytesToText } from '../bytes.js';
import { checkKeys, expected } from '../checks.js';
import { NablaError } from '../errors.js';
import type { PreparedLaunch } from '../launch/prepare.js';
import { PACKAGE_JSON } from '../package/paths.js';
import { classifyAddressSpace } from './address-space.js';
import { proveAllowlist, verificationMessage } from './allowlist.js';
import { clockSection } from './clock.js';
import { compare } from './comparison.js';
import { x86_64Syscalls } from './data.js';
import { type Footprint, measureFootprint } from './footprint.js';
import { hostedArgs, hostedConfinement, hostedFds, resolveHosted, sandboxOf } from './hosted.js';
import { measurePeers } from './peers.js';
import {
  AUDIT_SCHEMA_VERSION,
  type AuditReport,
  type CallCount,
  conditionsText,
  type HostedSection,
  NO_KIND_FIELDS,
  type ObservationSection,
} from './report.js';

export interface AuditOptions extends RunOptions {
  /** Run the guest (and the hosted build) under the recorder (default true). */
  observe?: boolean;
  /** How long a recorded run may take before it is stopped (default 10000 ms). */
  observeTimeoutMs?: number;
  /**
   * The same app built for the hosted target, run natively (confined as the guest is) for the
   * comparison. Default: none, except for nabla's own examples (its own build/hosted/NAME).
   * null: none.
   */
  hosted?: string | null;
  /** Try to measure the kernel-function footprint with ftrace (default true). */
  footprint?: boolean;
  /** Start gVisor and crun, where installed, and read back their filters (default true). */
  peers?: boolean;
}

const DEFAULT_OBSERVE_TIMEOUT_MS = 10_000;
/** The keys AuditOptions adds to RunOptions; any key outside both is refused. */
const AUDIT_OPTION_KEYS = ['observe', 'observeTimeoutMs', 'hosted', 'footprint', 'peers'] as const;

/** The audit ran, and its report shows the filter and the policy table disagree. */
export class AuditError extends NablaError {
  readonly report: AuditReport;
  constructor(message: string, report: AuditReport) {
    super(message, { code: 'AUDIT_MISMATCH' });
    this.name = 'AuditError';
    this.report = report;
  }
}

/** The recorder (observe.ts, ptrace via syscall-trace), loaded only when a run is observed. */
type Recorder = typeof import('./observe.js');

async function loadRecorder(): Promise<Recorder | string> {
  try {
    return await import('./observe.js');
  } catch (error) {
    return `the syscall recorder (src/audit/observe.ts) could not be loaded: ${message(error)}`;
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The audit's own options; the run options are checked by prepare(). */
function checkOptions(options: AuditOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw expected('an object', 'options', options);
  checkKeys(options, [...runOptionKeys(), ...AUDIT_OPTION_KEYS], 'AuditOptions');
  for (const key of ['observe', 'footprint', 'peers'] as const) {
    const v = options[key];
    if (v !== undefined && typeof v !== 'boolean') throw expected('a boolean', key, v);
  }
  const t = options.observeTimeoutMs;
  if (t !== undefined && !(Number.isInteger(t) && t > 0 && t <= MAX_TIMEOUT_MS))
    throw expected('a positive integer (milliseconds)', 'observeTimeoutMs', t);
  const h = options.hosted;
  if (h !== undefined && h !== null && (typeof h !== 'string' || h === '')) {
    throw new NablaError(`Expected a path or null for hosted but received ${JSON.stringify(h)}`, {
      code: 'OPTION_INVALID',
    });
  }
}

const sortCalls = (calls: readonly CallCount[]): CallCount[] =>
  [...calls].sort((a, b) => b.count - a.count || a.nr - b.nr);
const total = (calls: readonly CallCount[]) => calls.reduce((sum, c) => sum + c.count, 0);

async function observeGuest(
  recorder: Recorder | string,
  prepared: PreparedLaunch,
  options: AuditOptions,
  timeoutMs: number,
): Promise<ObservationSection> {
  if (options.observe === false)
    return { status: 'skipped', reason: 'not requested (--no-observe)' };
  if (typeof recorder === 'string') return { status: 'unavailable', reason: recorder };
  // The very preparation audited above: the recorder starts the tender with it as run() would.
  // Reading the installed filter back needs CAP_SYS_ADMIN; only root asks for it.
  const readFilter = process.getuid?.() === 0;
  let seen: Awaited<ReturnType<Recorder['observeGuest']>>;
  try {
    seen = await recorder.observeGuest(prepared, { timeoutMs, readFilter });
  } catch (error) {
    return { status: 'unavailable', reason: `recording the guest failed: ${message(error)}` };
  }
  const policy = prepared.policy;
  const installed = seen.installedFilter ? sha256(seen.installedFilter) : null;
  const made = new Set(seen.calls.filter((c) => c.count > 0).map((c) => c.nr));
  return {
    status: 'observed',
    mechanism: seen.mechanism,
    timeoutMs,
    timedOut: seen.timedOut,
    exit: seen.exit,
    distinct: made.size,
    total: total(seen.calls),
    calls: sortCalls(seen.calls),
    setupCalls: seen.setupCalls ? sortCalls(seen.setupCalls) : null,
    denied: seen.denied,
    unusedRules: policy
      .filter((rule) => !made.has(rule.nr))
      .map((rule) => ({
        nr: rule.nr,
        name: rule.syscall,
        text: conditionsText(rule.args.map((a) => ({ ...a, value: a.value.toString() }))),
        reason: rule.reason,
      })),
    stdout: seen.stdout,
    installedFilterSha256: installed,
    addressSpace:
      seen.maps !== undefined
        ? classifyAddressSpace(seen.maps, prepared.request.memSize)
        : {
            error:
              seen.mapsError ??
              (seen.filterInstalled === false
                ? 'the tender did not get as far as its filter'
                : 'the recorder did not read it'),
          },
  };
}

async function observeHosted(
  recorder: Recorder | string,
  prepared: PreparedLaunch,
  options: AuditOptions,
  timeoutMs: number,
): Promise<HostedSection> {
  const where = resolveHosted(prepared.request.kernel, options.hosted);
  if ('status' in where) return where;
  const { path, from } = where;
  if (options.observe === false)
    return { status: 'skipped', path, reason: 'not run (--no-observe)' };
  if (typeof recorder === 'string') return { status: 'unavailable', path, reason: recorder };
  try {
    // Absolute: the recorder runs a path, never a name looked up in PATH.
    const seen = await recorder.observeProcess(resolve(path), hostedArgs(prepared), {
      timeoutMs,
      fds: hostedFds(prepared),
      confine: hostedConfinement(prepared),
    });
    const calls = sortCalls(seen.calls);
    return {
      status: 'observed',
      path,
      from,
      timedOut: seen.timedOut,
      exit: seen.exit,
      distinct: calls.filter((c) => c.count > 0).length,
      total: total(calls),
      calls,
      sandbox: sandboxOf(prepared, seen.confinement),
    };
  } catch (error) {
    return { status: 'unavailable', path, reason: `recording failed: ${message(error)}` };
  }
}

function footprint(options: AuditOptions, timeoutMs: number): Promise<Footprint> {
  if (options.footprint === false)
    return Promise.resolve({ status: 'skipped', reason: 'not requested' });
  const start =
    options.observe === false
      ? null
      : () => {
          const guest = run({ ...pickRunOptions(options), stdio: 'ignore' });
          const timer = setTimeout(() => guest.kill(), timeoutMs);
          return { pid: guest.pid, ended: guest.exited.finally(() => clearTimeout(timer)) };
        };
  return measureFootprint(start);
}

function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function unikernelSection(prepared: PreparedLaunch): AuditReport['unikernel'] {
  const { request } = prepared;
  const image = readFileSync(request.kernel);
  return {
    // Paths and arguments as text; bytes that are not UTF-8 are escapes (bytes.ts).
    path: bytesToText(request.kernel),
    bytes: image.length,
    sha256: sha256(image),
    args: request.args.map(bytesToText),
    memMiB: Number(request.memSize >> 20n),
    // Each kind says what its device is attached to and fills its fields; the others are null.
    devices: prepared.devices.map((d) => ({
      index: d.index,
      name: d.name,
      type: d.type,
      attachment: d.kind.attachment(d),
      guestFd: d.hostFd,
      ...NO_KIND_FIELDS,
      ...d.kind.reportFields(d),
    })),
  };
}

/**
 * Audits an already prepared launch (its policy and its exact BPF). `options` are the run
 * options it was prepared from, used again to start the observed and traced runs.
 * Throws AuditError, carrying the report, when the filter and the policy table disagree.
 */
export async function auditPrepared(
  prepared: PreparedLaunch,
  options: AuditOptions,
): Promise<AuditReport> {
  checkOptions(options);
  const timeoutMs = options.observeTimeoutMs ?? DEFAULT_OBSERVE_TIMEOUT_MS;
  const { bpf, pfc } = prepared.filter;
  const { verification, allowlist } = proveAllowlist(bpf, prepared.policy);
  // A filter that does not say what the table says is not run: the report says so instead.
  const runOptions = verification.passed ? options : { ...options, observe: false };
  const recorder = runOptions.observe === false ? 'not loaded' : await loadRecorder();
  const observation = verification.passed
    ? await observeGuest(recorder, prepared, runOptions, timeoutMs)
    : ({ status: 'skipped', reason: 'the filter failed verification' } as const);
  const hosted = await observeHosted(recorder, prepared, runOptions, timeoutMs);
  const deviceTypes = prepared.devices.map((d) => d.type);
  const peers = options.peers === false ? [] : await measurePeers();
  const report: AuditReport = {
    kind: 'nabla-audit-report',
    schemaVersion: AUDIT_SCHEMA_VERSION,
    generatedAt: new Date().toISOString(),
    tool: { name: 'nabla', version: toolVersion() },
    host: { kernel: release(), arch: arch(), syscallNames: x86_64Syscalls().source },
    unikernel: unikernelSection(prepared),
    filter: {
      instructions: bpf.length / 8,
      bytes: bpf.length,
      sha256: sha256(bpf),
      defaultAction: 'kill-process',
      pfc,
    },
    verification,
    allowlist,
    observation,
    clock: clockSection(prepared.unikernel.fd, prepared.unikernel.path),
    comparison: {
      ...compare({
        allowlist,
        deviceTypes,
        guestObserved: observation.status === 'observed' ? observation.distinct : null,
        hosted,
        peers,
      }),
      hosted,
      peers,
    },
    footprint: await footprint(runOptions, timeoutMs),
  };
  if (!verification.passed) throw new AuditError(verificationMessage(verification), report);
  return report;
}

/**
 * Audits the syscall surface of one unikernel with these run options: prepares the launch
 * exactly as run() does, proves its filter against the policy table, and (unless
 * `observe: false`) records what the guest and its hosted build actually call.
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  checkOptions(options);
  const prepared = prepare(pickRunOptions(options));
  try {
    return await auditPrepared(prepared, options);
  } finally {
    prepared.release();
  }
}
