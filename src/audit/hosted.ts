// hosted.ts: which hosted build the audit runs (only one named, or nabla's own example's), and the sandbox it runs in.
import { realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, relative } from 'node:path';
import { bytesToText } from '../bytes.js';
import { NablaError } from '../errors.js';
import type { PreparedLaunch } from '../launch/prepare.js';
import { example, hostedExample } from '../package/paths.js';
import { runOptionWords } from '../run-syntax.js';
import { escapeText } from '../text-escape.js';
import type { Confinement, RecordedObservation } from './observe.js';
import type { HostedSandbox, HostedSection } from './report.js';

/*
 * The hosted build is a program run natively, so which one runs is the user's decision:
 * --hosted PATH (API: `hosted: path`), or, for nabla's own examples only, the hosted build
 * nabla made of the same example: the KERNEL must be, after every symbolic link,
 * the package's build/examples/NAME.nabla, and then its build/hosted/NAME runs.
 * Nothing is looked up relative to the current directory: an untrusted app.nabla that
 * arrives with a build/hosted/app beside it must not get that file run.
 *
 * It runs with what the guest gets (prepare() decided that: privilege.ts): the guest's user
 * (nobody when started as root, or --user), its namespaces, its limits, no capabilities,
 * no_new_privs, an empty environment, and only stdio plus its devices, which it receives as
 * the descriptors the audit opened (`--block:NAME=@FD`, `--net:NAME=@FD`), since the user
 * it runs as may not open the files or taps itself.
 */

/** Descriptors beyond its devices that a hosted build opens: the loader's, epoll, timerfd. */
const HOSTED_FD_HEADROOM = 16;
/** The descriptor the first device gets: right after stdio. */
const FIRST_DEVICE_FD = 3;

export type HostedChoice =
  | { path: string; from: 'option' | 'nabla example' }
  | (HostedSection & { status: 'not given' });

/** The real path as bytes (a KERNEL path need not be UTF-8), or null when there is none. */
const realpath = (path: string | Buffer): Buffer | null => {
  try {
    return realpathSync(path, { encoding: 'buffer' });
  } catch {
    return null;
  }
};

/**
 * A guest argument for the hosted program, which is spawned with text: bytes that are not
 * UTF-8 would reach it as other bytes, so they are refused (the hosted section says why).
 */
function hostedText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes))
    throw new NablaError(
      `${escapeText(bytes)}: not valid UTF-8, which the hosted run cannot be given`,
      { code: 'AUDIT_HOSTED' },
    );
  return text;
}

/** A path of nabla's own as the report shows it: relative when under the current directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The hosted build to run, if any: given, or nabla's own of its own example. */
export function resolveHosted(kernel: Buffer, hosted: string | null | undefined): HostedChoice {
  if (hosted === null) return { status: 'not given', path: null, reason: 'no hosted build given' };
  if (typeof hosted === 'string') {
    if (!statSync(hosted, { throwIfNoEntry: false })?.isFile())
      throw new NablaError(`${hosted}: No such hosted executable`, { code: 'AUDIT_HOSTED' });
    return { path: hosted, from: 'option' };
  }
  // The file itself, wherever links lead, must be the one nabla built for its own example.
  const real = realpath(kernel);
  const name = real === null ? '' : basename(bytesToText(real)).replace(/\.nabla$/, '');
  const own = /^[A-Za-z0-9_-]+$/.test(name) ? realpath(example(name)) : null;
  const path = hostedExample(name);
  if (own && real?.equals(own) && statSync(path, { throwIfNoEntry: false })?.isFile())
    return { path: shown(path), from: 'nabla example' };
  return {
    status: 'not given',
    path: null,
    reason: "no hosted build given (--hosted PATH; found by itself only for nabla's own examples)",
  };
}

/**
 * The hosted build's command line: nabla-run's options (src/run-syntax.ts), the memory always
 * given, with the devices as descriptors (each kind's hostedArgs), then ARGS.
 */
export function hostedArgs(prepared: PreparedLaunch): string[] {
  const { request } = prepared;
  const devices = prepared.devices.flatMap((d, i) => d.kind.hostedArgs(d, FIRST_DEVICE_FD + i));
  const options = {
    kernel: request.kernel,
    memMiB: Number(request.memSize >> 20n),
    xExecHeap: request.xExecHeap,
  };
  return [...runOptionWords(options, devices), '--', ...request.args.map(hostedText)];
}

/** The descriptors handed over, in the order hostedArgs numbers them. */
export const hostedFds = (prepared: PreparedLaunch): number[] => prepared.devices.map((d) => d.fd);

/** The guest's privileges, for a program that is exec'd (and so opens its loader's files). */
export function hostedConfinement(prepared: PreparedLaunch): Confinement {
  const p = prepared.privileges;
  return {
    user: p.user === 'keep' ? 'keep' : { uid: p.user.uid, gid: p.user.gid },
    namespaces: p.namespaces,
    rlimits: {
      nofile: BigInt(FIRST_DEVICE_FD + prepared.devices.length + HOSTED_FD_HEADROOM),
      nproc: p.rlimits.nproc,
      core: p.rlimits.core,
    },
    // Exec resets dumpability from the file; a copy the user may only execute keeps it off.
    execOnly: p.user !== 'keep' && !p.dumpable,
  };
}

const words = (text: string | undefined): string[] =>
  text === undefined || text === '' ? [] : text.split(' ');

/** The effective id of a "real effective saved fs" status line. */
const effective = (text: string | undefined): number | null => {
  const id = words(text)[1];
  return id === undefined ? null : Number(id);
};

/** How the hosted build ran, from what the recorder read at its exec. */
export function sandboxOf(
  prepared: PreparedLaunch,
  confinement: RecordedObservation['confinement'],
): HostedSandbox {
  const p = confinement?.process ?? null;
  const status = p?.status ?? {};
  const user = prepared.privileges.user;
  const cap = (key: string) => status[key] ?? null;
  const limit = (key: 'nofile' | 'nproc' | 'core') => {
    const v = p?.limits[key] ?? null;
    return v === null ? null : { soft: v[0], hard: v[1] };
  };
  const ns = Object.entries(p?.namespaces ?? {});
  return {
    user: {
      name: user === 'keep' ? 'as started' : user.name,
      uid: effective(status.Uid),
      gid: effective(status.Gid),
      groups: status.Groups === undefined ? null : words(status.Groups).map(Number),
    },
    namespaces: {
      new: ns.filter(([, v]) => v === 'new').map(([k]) => k),
      shared: ns.filter(([, v]) => v === 'shared').map(([k]) => k),
      refused: Object.entries(confinement?.refused ?? {}).map(([name, reason]) => ({
        name,
        reason,
      })),
    },
    capabilities: {
      effective: cap('CapEff'),
      permitted: cap('CapPrm'),
      inheritable: cap('CapInh'),
      ambient: cap('CapAmb'),
      bounding: cap('CapBnd'),
    },
    noNewPrivs: status.NoNewPrivs === undefined ? null : status.NoNewPrivs === '1',
    dumpable: p?.dumpable ?? null,
    rlimits: { nofile: limit('nofile'), nproc: limit('nproc'), core: limit('core') },
    descriptors: p?.descriptors ?? null,
    environment: p?.environment ?? null,
  };
}
