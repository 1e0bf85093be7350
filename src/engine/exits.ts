// exits.ts: tells each engine guest's handle when its process ends (the addon reaps it through its pidfd).
import { type ProcessExit, watchExits, watchPidfd } from '../native/engine.js';

/** pidfd -> what to do when its process has ended. */
const waiting = new Map<number, (exit: ProcessExit) => void>();
let watching = false;

function dispatch(exits: readonly ProcessExit[]): void {
  for (const exit of exits) {
    const handler = waiting.get(exit.pidfd);
    waiting.delete(exit.pidfd);
    handler?.(exit);
  }
}

/**
 * Calls `handler` once the process of `pidfd` (a child of this process) has ended, with its
 * status; it is reaped and the pidfd closed first. While any is watched, the event loop stays
 * alive, as for a spawned child.
 */
export function onExit(pidfd: number, handler: (exit: ProcessExit) => void): void {
  if (!watching) {
    watchExits(dispatch);
    watching = true;
  }
  waiting.set(pidfd, handler);
  try {
    watchPidfd(pidfd);
  } catch (error) {
    waiting.delete(pidfd);
    throw error;
  }
}

/** How many guests are being watched (tests: none is left behind). */
export function watchedCount(): number {
  return waiting.size;
}
