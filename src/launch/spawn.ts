// spawn.ts: starts the tender as a child process (the programmatic API's path) and tracks its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { planMemfd } from './exec.js';
import type { PreparedLaunch } from './prepare.js';
import { tenderPath } from './tender-path.js';

export interface GuestExit {
  /** Exit status as a shell reports it: the guest's code, or 128 + signal number. */
  status: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedGuest {
  child: ChildProcess;
  exited: Promise<GuestExit>;
}

export type StdioMode = 'pipe' | 'inherit' | 'ignore';

/** In the child: 3 is the plan, 4 the ELF, 5.. the devices (the tender then moves them). */
const PLAN_CHILD_FD = 3;
const ELF_CHILD_FD = 4;

export function spawnTender(prepared: PreparedLaunch, stdio: StdioMode): SpawnedGuest {
  const tender = tenderPath();
  const deviceChildFds = prepared.devices.map((_, i) => ELF_CHILD_FD + 1 + i);
  const planFd = planMemfd(prepared.encodePlan({ elfFd: ELF_CHILD_FD, deviceFds: deviceChildFds }));
  try {
    const child = spawn(
      tender,
      [String(PLAN_CHILD_FD), prepared.request.kernel, ...prepared.request.args],
      {
        argv0: 'nabla-run',
        env: {},
        stdio: [
          stdio === 'inherit' ? 'inherit' : 'ignore',
          stdio,
          stdio,
          planFd,
          prepared.unikernel.fd,
          ...prepared.devices.map((d) => d.fd),
        ],
      },
    );
    const exited = new Promise<GuestExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        const signalNumber = signal ? constants.signals[signal] : 0;
        resolve({ status: code ?? 128 + signalNumber, code, signal });
      });
    });
    return { child, exited };
  } finally {
    closeSync(planFd);
  }
}

export function collect(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) =>
    stream.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))),
  );
}
