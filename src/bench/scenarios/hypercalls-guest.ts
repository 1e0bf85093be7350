// hypercalls-guest.ts: runs benchmarks/guests/hypercalls under nabla-run or hosted; its disk and filter copy.
import { execFile } from 'node:child_process';
import { access, constants, open } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  decodeProgram,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD,
} from '../../audit/bpf-sim.js';
import { block } from '../../devices/block.js';
import { compileFilter } from '../../native/index.js';
import { benchGuest, benchHosted, NABLA_RUN } from '../../package/paths.js';
import { buildPolicy } from '../../policy/rules.js';
import { runOptionWords } from '../../run-syntax.js';
import { makeBundle, type OciRuntime, ociRun } from '../oci.js';
import { upstreamWords } from '../peer.js';

/*
 * One guest, built twice by scripts/build-guests.mjs: as a unikernel for nabla-run and as a
 * normal Linux program over glibc (the SDK's hosted target). Both are started with the same
 * device options and the same guest arguments; each run is one fresh process that prints one
 * result line. With --peer solo5-spt=PATH the same .nabla also runs under upstream's tender.
 * The hypercalls and block scenarios share this.
 */

const run = promisify(execFile);

export const BENCH_GUEST = benchGuest('hypercalls');
export const BENCH_HOSTED = benchHosted('hypercalls');
/** Guest memory, MiB: the guest needs well under one; both builds get the same. */
const MEM_MIB = 8;
/** Any one guest process is killed after this long. */
const PROCESS_TIMEOUT_MS = 60_000;

export type BlockOp = 'block-read' | 'block-write';
export type GuestOp = 'clock-monotonic' | 'clock-wall' | 'yield' | BlockOp;

/** One run of the guest: what it does and with which device. */
export interface GuestRun {
  op: GuestOp;
  /** Calls per timed round, and rounds; the guest reports its fastest round. */
  calls: number;
  rounds: number;
  warmup: number;
  /** Block size of "storage" (--block-sector-size), i.e. bytes per block call. */
  blockSize: number;
  pattern: 'seq' | 'rand';
  disk: string;
  /** Words after the common ones: syscalls=..., seccomp=... (see host_options.h). */
  extra?: readonly string[];
}

/** What the guest printed. */
export interface GuestResult {
  calls: number;
  totalNs: number;
  nsPerCall: number;
}

const RESULT =
  /^hypercalls: op=(\S+) size=\d+ pattern=\S+ rounds=\d+ calls=(\d+) total_ns=(\d+) ns_per_call=[\d.]+$/m;

/** nabla-run, the hosted executable, or the same .nabla under the upstream tender at `peer`. */
/** nabla-run, the hosted build, upstream's tender, or the hosted build in an OCI runtime's container (bundles under `root`). */
export type GuestTarget = 'nabla' | 'hosted' | { peer: string } | { oci: OciRuntime; root: string };

/** Where the disk is inside a container. */
const DISK_INSIDE = '/data/disk.img';

/**
 * Runs the guest once, under nabla-run ('nabla'), as the hosted executable ('hosted') or under
 * upstream's tender ({ peer }), with the same device options and the same guest arguments.
 */
export async function runBenchGuest(
  target: GuestTarget,
  spec: GuestRun,
  signal?: AbortSignal,
): Promise<GuestResult> {
  const options = {
    kernel: BENCH_GUEST,
    memMiB: MEM_MIB,
    block: [{ name: 'storage', path: spec.disk, sectorSize: spec.blockSize }],
  };
  const devices = runOptionWords(options);
  const args = [
    '--solo5:quiet',
    spec.op,
    String(spec.calls),
    `warmup=${spec.warmup}`,
    `rounds=${spec.rounds}`,
    `pattern=${spec.pattern}`,
    ...(spec.extra ?? []),
  ];
  let command: string;
  let argv: string[];
  let label: string;
  if (target === 'nabla') {
    [command, argv, label] = [
      process.execPath,
      [NABLA_RUN, ...devices, BENCH_GUEST, ...args],
      target,
    ];
  } else if (target === 'hosted') {
    [command, argv, label] = [BENCH_HOSTED, [...devices, ...args], target];
  } else if ('peer' in target) {
    [command, argv, label] = [
      target.peer,
      [...upstreamWords(options), BENCH_GUEST, ...args],
      'solo5-spt',
    ];
  } else {
    // The hosted build in a container: the disk bound read-write at DISK_INSIDE.
    const inside = runOptionWords({
      ...options,
      block: [{ name: 'storage', path: DISK_INSIDE, sectorSize: spec.blockSize }],
    });
    const bundle = makeBundle(target.root, `${target.oci}-hypercalls`, {
      program: BENCH_HOSTED,
      args: [...inside, ...args],
      writable: [[spec.disk, DISK_INSIDE]],
    });
    const c = ociRun(target.oci, bundle);
    [command, argv, label] = [c.file, [...c.args], target.oci];
  }
  let stdout: string;
  try {
    ({ stdout } = await run(command, argv, { timeout: PROCESS_TIMEOUT_MS, signal }));
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${label} ${spec.op} failed: ${e.message.split('\n')[0]}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
  const m = RESULT.exec(stdout);
  if (!m || m[1] !== spec.op) {
    throw new Error(`${label} ${spec.op}: no result line in its output: ${stdout}`);
  }
  const calls = Number(m[2]);
  const totalNs = Number(m[3]);
  return { calls, totalNs, nsPerCall: totalNs / calls };
}

/** A file of `mib` MiB of varied bytes (not a sparse file: reads must come from real pages). */
export async function makeDisk(path: string, mib: number): Promise<void> {
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + (i >> 12)) & 0xff;
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      chunk[0] = i & 0xff; // each MiB differs a little
      await file.write(chunk);
    }
    // Written back now, so that the trials do not pay for this file's writeback.
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Why the benchmark guest cannot run here, or undefined. */
export async function guestMissing(): Promise<string | undefined> {
  for (const path of [BENCH_GUEST, BENCH_HOSTED]) {
    try {
      await access(path, constants.R_OK);
    } catch {
      return `${path} is not built (npm run build)`;
    }
  }
  return undefined;
}

/** The hosted build's descriptors (sdk/hosted/devices.c order), which host_options.c checks. */
const HOSTED_LAYOUT = { blockFd: 3, epollFd: 4, timerFd: 5 };

/**
 * The guest's filter, compiled by the same policy table and compiler as nabla-run's for the
 * hosted build's descriptor numbers, with every "kill" return made "allow": glibc's own calls
 * (startup, exit) then pass, while each call the loop makes follows the very instructions it
 * follows in the guest. Returns the BPF bytes.
 */
export function hostedFilter(capacity: bigint, blockSize: number): Buffer {
  const policy = buildPolicy({
    epollFd: HOSTED_LAYOUT.epollFd,
    timerFd: HOSTED_LAYOUT.timerFd,
    devices: [{ kind: block, name: 'storage', hostFd: HOSTED_LAYOUT.blockFd, capacity, blockSize }],
  });
  const { bpf } = compileFilter(
    policy.map((rule) => ({ syscall: rule.syscall, args: rule.args.map((a) => ({ ...a })) })),
  );
  const RET_K = 0x06; // BPF_RET | BPF_K
  decodeProgram(bpf).forEach((insn, i) => {
    const kill = insn.k === SECCOMP_RET_KILL_PROCESS || insn.k === SECCOMP_RET_KILL_THREAD;
    if (insn.code === RET_K && kill) bpf.writeUInt32LE(SECCOMP_RET_ALLOW, i * 8 + 4);
  });
  return bpf;
}
