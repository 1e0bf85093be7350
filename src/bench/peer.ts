// peer.ts: the upstream tender as a benchmark peer: which peers exist, where the run was told it is, and its command line for a guest.
import { accessSync, constants, statSync } from 'node:fs';
import type { RunOptions } from '../api.js';
import { nablaRunOptions, runOptionWords } from '../run-syntax.js';
import type { Command } from './procs.js';
import type { BenchContext } from './types.js';

/*
 * `--peer solo5-spt=PATH` names upstream Solo5's spt tender (a reference build: see
 * benchmarks/README.md). Every scenario whose guest can run under upstream gets a variant that
 * starts the same .nabla with it: our guests are built by our SDK for spt and run under upstream
 * unchanged (a promise this project tests), and upstream's command line is nabla-run's without
 * nabla-run's own options (--user, --timeout, --core, --verbose), devices attached alike. No
 * peer given: the variant is listed as not run, with the option that would add it.
 */

/** The peers the harness knows, by the NAME of --peer NAME=PATH. */
export const PEERS = ['solo5-spt'] as const;
export type PeerName = (typeof PEERS)[number];

/** Why the peer cannot be used (not given, not an executable file), or undefined. */
export function peerMissing(
  ctx: Pick<BenchContext, 'peers'>,
  name: PeerName = 'solo5-spt',
): string | undefined {
  const path = ctx.peers[name];
  if (path === undefined) return `no peer given (--peer ${name}=PATH)`;
  try {
    if (!statSync(path).isFile()) return `--peer ${name}=${path}: not a regular file`;
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `--peer ${name}=${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not executable' : String(code)}`;
  }
}

/** The peer's path; throws (the trial fails) when it was not given. */
export function peerPath(ctx: Pick<BenchContext, 'peers'>, name: PeerName = 'solo5-spt'): string {
  const path = ctx.peers[name];
  if (path === undefined) throw new Error(`no peer given (--peer ${name}=PATH)`);
  return path;
}

/** nabla-run's own options: upstream's tender does not know them. */
const NABLA_ONLY = new Set(
  nablaRunOptions()
    .filter((o) => o.group === 'nabla-run')
    .map((o) => o.name),
);

/**
 * `options` in upstream's words: the options before KERNEL (memory, devices, --x-exec-heap).
 * A run that needs one of nabla-run's own options has no equivalent upstream: that is the
 * harness's mistake, and throws.
 */
export function upstreamWords(options: RunOptions): string[] {
  const words = runOptionWords(options);
  const own = words.find((w) => NABLA_ONLY.has(w.split('=', 1)[0] as string));
  if (own !== undefined) throw new Error(`${own} is nabla-run's own option: solo5-spt has none`);
  return words;
}

/**
 * The peer's command line for `kernel` with `args` and the devices and memory in `options`:
 * OPTIONS KERNEL ARGS, as nabla-run's.
 */
export function peerCommand(
  ctx: Pick<BenchContext, 'peers'>,
  kernel: string,
  args: readonly string[],
  options: Omit<RunOptions, 'kernel' | 'args'> = {},
  name: PeerName = 'solo5-spt',
): Command {
  return {
    file: peerPath(ctx, name),
    args: [...upstreamWords({ ...options, kernel }), kernel, ...args],
  };
}
