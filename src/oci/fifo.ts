// fifo.ts: the exec fifo that holds a created container until `start` (runc's exec.fifo).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ociError } from './errors.js';

/** Node has no mkfifo(3): coreutils' mkfifo makes it, mode 0600 (only root opens it). */
export function makeFifo(path: string): void {
  try {
    execFileSync('mkfifo', ['-m', '0600', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    throw ociError(
      `${path}: cannot make the exec fifo: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/**
 * Releases the holder: opening the fifo for writing completes the holder's open for reading,
 * and it execs the tender. O_NONBLOCK fails with ENXIO while no reader has it open (the holder
 * not there yet, or gone): tried again for up to 2 s while `holderAlive` says it may come.
 */
export async function releaseHolder(path: string, holderAlive: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENXIO') throw ociError(`${path}: cannot open the exec fifo: ${code}`);
      if (!holderAlive()) throw ociError('container not running: it ended before start');
    }
    await sleep(10);
  }
  throw ociError(`${path}: the container's process did not open the exec fifo within 2 s`);
}
