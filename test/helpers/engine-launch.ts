// engine-launch.ts: starts a guest through the start engine for trace checks: its own template, session, tag and cwd.
import { prepare } from '../../src/api.js';
import { Engine } from '../../src/engine/engine.js';
import {
  collect,
  type GuestRun,
  type LaunchedGuest,
  type LaunchSpec,
  ownDescriptors,
} from './guest-launch.js';

/*
 * launchGuest's counterpart on run()'s default path: the same guest, started by a template
 * (nabla-spt --template) that forks it. Each run has an Engine and so a template of its own,
 * started in a new session with the run's tag as argv[0] and the watched directory as its
 * working directory: the guest, forked from it, shares all three, so a process it left behind
 * is found by the template's session or the tag, as launchGuest's by the tender's. The net
 * device is a real descriptor (a tap of another namespace, from fd-exec --send); `wrap` has no
 * meaning here.
 */

export interface EngineLaunchedGuest extends LaunchedGuest {
  /** The template's pid: the session and process group the guest started in. */
  group: number;
}

export function launchGuestViaEngine(spec: LaunchSpec): EngineLaunchedGuest {
  const before = ownDescriptors();
  const { tag, cwd, timeoutMs, wrap: _wrap, ...options } = spec;
  const engine = new Engine({ argv0: tag, detached: true, cwd });
  const prepared = prepare(options);
  let guest: ReturnType<Engine['start']>;
  try {
    guest = engine.start(prepared, 'pipe');
  } finally {
    prepared.release(); // the template holds its own copies now
  }
  // Reads the template's answer now: its pidfd is this run's descriptor too.
  const pid = guest.pid;
  const [template] = engine.templateList;
  const group = template?.pid ?? -1;
  const held = new Set([...ownDescriptors().keys()].filter((fd) => !before.has(fd)));
  const stdout = collect(guest.stdout);
  const stderr = collect(guest.stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-group, 'SIGKILL'); // the template's session: the guest and anything it made
    } catch {
      // already gone
    }
  }, timeoutMs);
  const done = (async (): Promise<GuestRun> => {
    try {
      const exit = await guest.exited;
      return {
        pid,
        status: exit.status,
        signal: exit.signal,
        stdout: await stdout,
        stderr: await stderr,
        timedOut,
      };
    } finally {
      clearTimeout(timer);
      await engine.close(); // the template ends; nothing of the run is left running
    }
  })();
  return { pid, group, held, done };
}
