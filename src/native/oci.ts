// oci.ts: the typed API over the addon's calls for nabla-oci: a pty, a descriptor sent to a console socket, setns.
import { native } from './binding.js';
import * as check from './check.js';
import { callNative } from './errors.js';

/** A new pseudo-terminal: the master and the slave, both close-on-exec. */
export function openPty(): { master: number; slave: number } {
  const [master, slave] = callNative(() => native().openPty());
  return { master, slave };
}

/** Connects to the unix stream socket at `socketPath` and sends it `fd` (SCM_RIGHTS). */
export function sendFdTo(socketPath: string, fd: number): void {
  const p = check.nonEmpty(check.cString(socketPath, 'socketPath'), 'socketPath');
  const f = check.fd(fd, 'fd');
  callNative(() => native().sendFdTo(p, f));
}

/** CLONE_NEWNET (linux/sched.h): the namespace type setNamespace joins. */
export const CLONE_NEWNET = 0x40000000;

/** Moves the calling thread into the namespace the file at `path` names (setns(2)). */
export function setNamespace(path: string, nstype: number): void {
  const p = check.nonEmpty(check.cString(path, 'path'), 'path');
  callNative(() => native().setNamespace(p, nstype));
}
