// peer.ts: who may use the daemon: root, the daemon's own user, and members of its --group, judged from the connection's SO_PEERCRED.
import { readFileSync } from 'node:fs';
import { NablaError } from '../errors.js';
import type { PeerCredentials } from '../native/index.js';

/** What the daemon allows besides root: its own uid, and the gid of --group if given. */
export interface Access {
  uid: number;
  group: { name: string; gid: number } | null;
}

/**
 * The supplementary groups of process `pid` (`Groups:` of /proc/PID/status), or none when it
 * cannot be read (the client has gone, or is in another pid namespace: its pid reads as 0).
 */
export function supplementaryGroups(pid: number): number[] {
  if (!(pid > 0)) return [];
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const line = /^Groups:(.*)$/m.exec(status)?.[1] ?? '';
    return line
      .trim()
      .split(/\s+/)
      .filter((g) => g !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Null when the peer may use the daemon, else the DAEMON_FORBIDDEN error to answer with. The
 * peer's gid is the one the kernel recorded at connect; its supplementary groups are read now,
 * by pid (a client that has already gone is judged by uid and gid alone).
 */
export function refusal(peer: PeerCredentials, access: Access): NablaError | null {
  if (peer.uid === 0 || peer.uid === access.uid) return null;
  const { group } = access;
  if (group !== null) {
    if (peer.gid === group.gid || supplementaryGroups(peer.pid).includes(group.gid)) return null;
  }
  const allowed =
    group === null
      ? `root and uid ${access.uid}`
      : `root, uid ${access.uid} and members of group ${group.name} (gid ${group.gid})`;
  return new NablaError(`uid ${peer.uid} may not use this daemon: only ${allowed} may`, {
    code: 'DAEMON_FORBIDDEN',
  });
}
