// exec.ts: replaces this Node process with the tender, the plan on a sealed memfd (nabla-run's path).
import { closeSync, writeSync } from 'node:fs';
import { NablaError } from '../errors.js';
import { execve, memfdCreate, sealMemfd } from '../native/index.js';
import { systemErrorText } from '../os-errors.js';
import type { PreparedLaunch } from './prepare.js';
import { tenderPath } from './tender-path.js';

/** Writes the plan to a sealed memfd so the tender reads exactly what we decided. */
export function planMemfd(plan: Buffer): number {
  const fd = memfdCreate('nabla-plan', true);
  let done = 0;
  while (done < plan.length) done += writeSync(fd, plan, done, plan.length - done, done);
  sealMemfd(fd);
  return fd;
}

/**
 * Execs the tender in place of this process: no Node process stays alive for the guest.
 * Descriptors keep their numbers; the plan tells the tender where each one is.
 * Returns only by throwing, when execve itself failed (nothing has been changed then).
 */
export function execTender(prepared: PreparedLaunch): never {
  const tender = tenderPath();
  const elfFd = prepared.unikernel.fd;
  const deviceFds = prepared.devices.map((d) => d.fd);
  // No process stays to supervise the guest: the tender keeps --timeout's time itself.
  const planFd = planMemfd(
    prepared.encodePlan({ elfFd, deviceFds, watchdogMs: prepared.request.timeoutMs }),
  );
  // KERNEL and ARGS only show `ps` what runs (the plan decides), as the bytes given.
  const argv = ['nabla-run', String(planFd), prepared.request.kernel, ...prepared.request.args];
  try {
    execve(tender, argv, [], [planFd, elfFd, ...deviceFds]);
  } catch (error) {
    closeSync(planFd);
    throw new NablaError(`Could not execute the tender ${tender}: ${systemErrorText(error)}`, {
      code: 'TENDER_FAILED',
    });
  }
  throw new NablaError(`Could not execute the tender ${tender}`, { code: 'TENDER_FAILED' });
}
