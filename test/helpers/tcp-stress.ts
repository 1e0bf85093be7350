// tcp-stress.ts: issue 12's robustness rounds against any TCP server guest: the guest in a namespace, real clients (tcp-stress.py) beside it.
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Netns, NsProcess, NsResult } from './netns.js';
import { ROOT } from './paths.js';

/** What one connection sends and what must come back (see tcp-stress.py's header). */
export type StressProto =
  /** Connection i sends its own `size`-ish bytes and gets exactly them back; `heavy` bytes for a client that never reads. */
  | { kind: 'echo'; size: number; heavy: number }
  /** Every connection sends `request`; the reply is exactly `reply`, or `prefix` then the server's FIN. */
  | { kind: 'fixed'; request: string; reply?: string; prefix?: string; heavy: string };

/** The server under test: which guest to start, with what, and how to talk to it. */
export interface StressTarget {
  /** 'spt': an image run with nabla-run; 'hosted': the hosted build run directly. */
  kind: 'spt' | 'hosted';
  image: string;
  /** nabla-run options before the image besides the network device (e.g. a block device). */
  runOptions?: string[];
  /** The guest's own arguments after the network configuration (e.g. ['--port=8080']). */
  args: string[];
  /** The manifest's network device, wired to the namespace's tap (default 'service'). */
  netName?: string;
  port: number;
  /** Printed on stdout once the guest listens. */
  ready: string;
  proto: StressProto;
}

export type StepResult = Record<string, unknown>;

export interface StressGuest {
  guest: NsProcess;
  host: string;
  /** The subnet's first three octets with a trailing dot, e.g. '10.7.40.' (for spoofed sources). */
  subnet: string;
  /** Runs one client step (tcp-stress.py's STEPS) in the namespace; returns its JSON line. */
  step(step: Record<string, unknown>, timeoutMs?: number): Promise<StepResult>;
  /** The same against another port (a harness pointed at the wrong place must fail). */
  stepAt(port: number, step: Record<string, unknown>, timeoutMs?: number): Promise<StepResult>;
}

const SCRIPT = join(ROOT, 'test/helpers/tcp-stress.py');

/**
 * Makes a tap 10.7.`net`.1/24 in `ns`, starts the target at 10.7.`net`.2 (gateway .1) and waits
 * until it listens. `net` keeps concurrently running test files apart only by readability: every
 * namespace is private anyway.
 */
export async function startStress(
  ns: Netns,
  target: StressTarget,
  net: number,
  lifetimeMs = 120_000,
): Promise<StressGuest> {
  const subnet = `10.7.${String(net)}.`;
  ns.addTap({ name: 'tap0', address: `${subnet}1/24` });
  const device = `--net:${target.netName ?? 'service'}=tap0`;
  const netArgs = [`--ipv4=${subnet}2/24`, `--ipv4-gateway=${subnet}1`];
  const guest =
    target.kind === 'spt'
      ? ns.nablaRun(
          [device, ...(target.runOptions ?? []), target.image, ...netArgs, ...target.args],
          lifetimeMs,
        )
      : ns.spawn(
          target.image,
          [device, ...(target.runOptions ?? []), '--', ...netArgs, ...target.args],
          lifetimeMs,
        );
  await guest.waitFor(target.ready, 20_000);
  const host = `${subnet}2`;
  const stepAt = async (port: number, step: Record<string, unknown>, timeoutMs = 150_000) => {
    const config = JSON.stringify({ host, port, proto: target.proto });
    const r = await ns.run('python3', [SCRIPT, config, JSON.stringify(step)], timeoutMs);
    expect(r.status, `client ${JSON.stringify(step)}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as StepResult;
  };
  return {
    guest,
    host,
    subnet,
    step: (step, timeoutMs) => stepAt(target.port, step, timeoutMs),
    stepAt,
  };
}

/** Whether the process is still running (it has not reported its end). */
export async function isRunning(guest: NsProcess): Promise<boolean> {
  const ended = await Promise.race([
    guest.exited.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 50)),
  ]);
  return !ended;
}

/**
 * The guest served to the end: still running, nothing printed about an lwIP assertion; then it
 * is killed and its whole output checked again (a guest that serves forever ends only so).
 */
export async function expectHealthyAndStop(ns: Netns, guest: NsProcess): Promise<NsResult> {
  expect(await isRunning(guest), `guest ended early: ${guest.stdout()}`).toBe(true);
  ns.killAll();
  const exit = await guest.exited;
  expect(exit.status, exit.stdout + exit.stderr).toBe(137); // SIGKILL, ours
  expect(exit.stdout + exit.stderr).not.toMatch(/assert|abort|panic/i);
  return exit;
}

/** The counts `many` returns when every one of `n` connections was served. */
export function allServed(n: number, halfClose: boolean): Record<string, unknown> {
  return {
    opened: n,
    refused: 0,
    ok: n,
    fins: halfClose ? n : 0,
    openSeconds: expect.any(Number),
    seconds: expect.any(Number),
  };
}

/** Rounds, each asserting what a healthy server shows; the suite and the marathon share them. */
export const rounds = {
  /** `n` connections open at once, each exchanging its own request and whole reply. */
  /** `serverCloses`: the server ends each connection after its reply (HTTP's Connection: close). */
  async concurrent(g: StressGuest, n = 1000, serverCloses = false): Promise<StepResult> {
    const r = await g.step({ step: 'many', n });
    expect(r).toEqual(allServed(n, serverCloses));
    return r;
  },
  /** A new connection served within `within` seconds. */
  async fresh(g: StressGuest, within = 10): Promise<StepResult> {
    const r = await g.step({ step: 'fresh', within });
    expect(r).toEqual({ ok: true, tries: expect.any(Number), seconds: expect.any(Number) });
    return r;
  },
  /** `n` connections reset (SO_LINGER 0) mid-transfer, three ways. */
  async resets(g: StressGuest, n = 300): Promise<StepResult> {
    const r = await g.step({ step: 'resets', n });
    expect(r).toEqual({ reset: n });
    return r;
  },
  /** `n` clients that shut down their sending side at once and read the whole reply and FIN. */
  async halfClosed(g: StressGuest, n = 300): Promise<StepResult> {
    const r = await g.step({ step: 'halfclose', n });
    expect(r).toEqual(allServed(n, true));
    return r;
  },
  /**
   * 20 clients trickling a byte a second and one that never reads a large reply, for `seconds`,
   * while fast clients make round trips: none of these fails or takes 2 s (not stalled; the
   * figures are reported, not benchmarked), the slow ones are then served whole, and the
   * non-reader really was held back (its sends blocked).
   */
  async slow(g: StressGuest, seconds = 5): Promise<StepResult> {
    const r = await g.step({ step: 'slow', slow: 20, seconds }, (seconds + 60) * 1000);
    expect(r).toEqual({
      fast: expect.any(Number),
      fastFailed: 0,
      fastMaxSeconds: expect.any(Number),
      fastMedianSeconds: expect.any(Number),
      slowOk: 20,
      slowBytesTrickled: expect.any(Number),
      hogSent: expect.any(Number),
      hogStalled: true,
    });
    expect(r.fastMaxSeconds as number).toBeLessThan(2);
    expect(r.fast as number).toBeGreaterThanOrEqual(seconds); // at least one a second
    expect(r.slowBytesTrickled as number).toBeGreaterThanOrEqual(seconds - 1);
    return r;
  },
  /** `count` spoofed SYNs from `sources` (prefixes like '10.7.40.'), as fast as they go. */
  async synFlood(g: StressGuest, sources: string[], count = 20_000): Promise<StepResult> {
    const r = await g.step({ step: 'synflood', count, sources });
    expect(r).toEqual({ sent: count, seconds: expect.any(Number) });
    return r;
  },
};
