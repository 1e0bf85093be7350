// watch.ts: the engine's events from the event loop: a guest's end (reaped through its pidfd), a template's reply.
import { type ProcessExit, watchEvents, watchPidfd, watchReadable } from '../native/engine.js';

/** pidfd -> the process it refers to, and what to do when that has ended. */
const exits = new Map<number, { pid: number; handler: (exit: ProcessExit) => void }>();
/** fd -> what to do when it can be read. */
const readers = new Map<number, () => void>();
let watching = false;

function start(): void {
  if (watching) return;
  watchEvents(
    (ended) => {
      for (const exit of ended) {
        const watched = exits.get(exit.pidfd);
        // A pidfd's number is free again once its exit is reported: never hand one process's
        // end to another that has since been given the same number.
        if (!watched || (exit.pid !== -1 && exit.pid !== watched.pid)) continue;
        exits.delete(exit.pidfd);
        watched.handler(exit);
      }
    },
    (fds) => {
      for (const fd of fds) readers.get(fd)?.();
    },
  );
  watching = true;
}

/**
 * Calls `handler` once the process `pid` of `pidfd` (a child of this process) has ended, with its
 * status; it is reaped and the pidfd closed first. While any is watched, the event loop stays
 * alive, as for a spawned child.
 */
export function onExit(pidfd: number, pid: number, handler: (exit: ProcessExit) => void): void {
  start();
  exits.set(pidfd, { pid, handler });
  try {
    watchPidfd(pidfd);
  } catch (error) {
    exits.delete(pidfd);
    throw error;
  }
}

/**
 * Calls `handler` whenever `fd` can be read, until offReadable; keeps the event loop alive
 * meanwhile (a template's socket while replies are due).
 */
export function onReadable(fd: number, handler: () => void): void {
  start();
  readers.set(fd, handler);
  try {
    watchReadable(fd, true);
  } catch (error) {
    readers.delete(fd);
    throw error;
  }
}

export function offReadable(fd: number): void {
  if (readers.delete(fd)) watchReadable(fd, false);
}

/** How many guests are being watched (tests: none is left behind). */
export function watchedCount(): number {
  return exits.size;
}
