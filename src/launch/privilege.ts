// privilege.ts: decides what a guest keeps: its user and group, namespaces, resource limits, dumpability.
import { readFileSync } from 'node:fs';
import { NablaError } from '../errors.js';
import type { PlanPrivileges } from '../plan/encode.js';
import { PLAN_ID_KEEP, PLAN_NS, PLAN_RLIM_INFINITY } from '../plan/format.js';

export interface PrivilegeRequest {
  /** `--user`: NAME or UID, optionally `:GROUP` or `:GID`. Default: nobody when root, else as started. */
  user?: string;
  /** Allow core dumps: RLIMIT_CORE up to the hard limit, and the guest stays dumpable. */
  core?: boolean;
}

/** What the tender enforces (the plan's fields), decided here. */
export interface Privileges extends PlanPrivileges {
  /** One line per decision, for --verbose. */
  notes: string[];
}

/** The account databases, as text; injectable for tests. */
export interface UserDatabase {
  passwd: string;
  group: string;
}

/** What the decision depends on besides the request: the caller's ids and the planned descriptors. */
export interface PrivilegeContext {
  euid: number;
  uid: number;
  gid: number;
  /** The highest descriptor number the guest will hold. */
  highestFd: number;
  /** Whether the guest has a network device (then it keeps the host's network namespace). */
  hasNet: boolean;
  database?: UserDatabase;
  /** The text of /proc/self/limits (the tender inherits this process's limits). */
  limits?: string;
}

/** The kernel's overflow ids: nobody's, even where /etc/passwd has no entry for it. */
const OVERFLOW_ID = 65534;
const MAX_ID = PLAN_ID_KEEP - 1; // (uid_t)-1 means "unchanged" to the kernel

interface Entry {
  name: string;
  id: number;
  gid?: number;
}

/** Parses passwd ("name:x:uid:gid:...") or group ("name:x:gid:...") lines; malformed lines are skipped. */
function parseDatabase(text: string, kind: 'passwd' | 'group'): Entry[] {
  const entries: Entry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const [name = '', , id = '', gid = ''] = fields;
    if (name === '' || !/^[0-9]+$/.test(id)) continue;
    if (kind === 'passwd' && !/^[0-9]+$/.test(gid)) continue;
    entries.push({ name, id: Number(id), ...(kind === 'passwd' ? { gid: Number(gid) } : {}) });
  }
  return entries;
}

function readDatabase(): UserDatabase {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return ''; // no database: names are unknown, numbers still work
    }
  };
  return { passwd: read('/etc/passwd'), group: read('/etc/group') };
}

function numericId(text: string, what: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > MAX_ID) {
    throw new NablaError(`Malformed argument to --user: ${what} ${text} is above ${MAX_ID}`);
  }
  return id;
}

/** Resolves `NAME|UID[:GROUP|GID]` against the database; unknown names are errors. */
export function resolveUser(
  spec: string,
  database: UserDatabase,
): { uid: number; gid: number; name: string } {
  const match = /^([^:]+)(?::([^:]+))?$/.exec(spec);
  if (!match) {
    throw new NablaError(
      `Malformed argument to --user: '${spec}' (expected NAME, UID, NAME:GROUP or UID:GID)`,
    );
  }
  const [, userText = '', groupText] = match;
  const users = parseDatabase(database.passwd, 'passwd');
  let uid: number;
  let primary: number | undefined;
  let name: string;
  if (/^[0-9]+$/.test(userText)) {
    uid = numericId(userText, 'uid');
    const entry = users.find((u) => u.id === uid);
    primary = entry?.gid;
    name = entry?.name ?? `uid ${uid}`;
  } else {
    const entry = users.find((u) => u.name === userText);
    if (!entry) throw new NablaError(`Unknown user '${userText}' for --user: not in /etc/passwd`);
    uid = entry.id;
    primary = entry.gid;
    name = entry.name;
  }
  let gid: number;
  if (groupText === undefined) {
    if (primary === undefined) {
      throw new NablaError(
        `uid ${uid} for --user has no entry in /etc/passwd, so no group: give one (--user=${uid}:GID)`,
      );
    }
    gid = primary;
  } else if (/^[0-9]+$/.test(groupText)) {
    gid = numericId(groupText, 'gid');
  } else {
    const entry = parseDatabase(database.group, 'group').find((g) => g.name === groupText);
    if (!entry) throw new NablaError(`Unknown group '${groupText}' for --user: not in /etc/group`);
    gid = entry.id;
  }
  return { uid, gid, name };
}

/** The hard RLIMIT_CORE from /proc/self/limits text; unlimited (or unreadable) is infinity. */
export function hardCoreLimit(limits: string): bigint {
  const match = /^Max core file size\s+(\S+)\s+(\S+)/m.exec(limits);
  const hard = match?.[2];
  return hard === undefined || hard === 'unlimited' ? PLAN_RLIM_INFINITY : BigInt(hard);
}

function readLimits(): string {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return '';
  }
}

export function decidePrivileges(request: PrivilegeRequest, context: PrivilegeContext): Privileges {
  const notes: string[] = [];
  const database = context.database ?? readDatabase();
  let user: Privileges['user'];
  if (context.euid === 0) {
    if (request.user !== undefined) {
      const wanted = resolveUser(request.user, database);
      // Already those ids (root asking for root): nothing to switch, as for a non-root start.
      user = wanted.uid === context.uid && wanted.gid === context.gid ? 'keep' : wanted;
      notes.push(
        `user: ${wanted.name} (uid ${wanted.uid}, gid ${wanted.gid}), as --user asks${user === 'keep' ? ': already so' : ''}`,
      );
    } else {
      const nobody = parseDatabase(database.passwd, 'passwd').find((u) => u.name === 'nobody');
      user = {
        uid: nobody?.id ?? OVERFLOW_ID,
        gid: nobody?.gid ?? OVERFLOW_ID,
        name: 'nobody',
      };
      notes.push(
        `user: nobody (uid ${user.uid}, gid ${user.gid}), the default when started as root${
          nobody ? '' : ' (no nobody in /etc/passwd: the kernel overflow ids)'
        }`,
      );
    }
  } else {
    // Without root there is nothing to switch to; a --user naming someone else cannot be honoured.
    if (request.user !== undefined) {
      const wanted = resolveUser(request.user, database);
      if (wanted.uid !== context.uid || wanted.gid !== context.gid) {
        throw new NablaError(
          `--user=${request.user} needs root: running as uid ${context.uid}, gid ${context.gid}`,
        );
      }
    }
    user = 'keep';
    notes.push(`user: kept (uid ${context.uid}, gid ${context.gid}): not started as root`);
  }

  // The guest makes no call these namespaces would answer differently; they are depth for the day
  // the filter fails. A guest with a tap keeps the host's network namespace, like its tap.
  let namespaces = PLAN_NS.user | PLAN_NS.mnt | PLAN_NS.ipc | PLAN_NS.uts | PLAN_NS.cgroup;
  if (!context.hasNet) namespaces |= PLAN_NS.net;
  notes.push(
    `namespaces: user mnt ipc uts cgroup${context.hasNet ? ' (net kept: the guest has a network device)' : ' net'}`,
  );

  const core = request.core ? hardCoreLimit(context.limits ?? readLimits()) : 0n;
  const rlimits = {
    core,
    // Only the planned numbers: the guest opens nothing.
    nofile: BigInt(context.highestFd + 1),
    // Applied after the tender's last fork, and the guest cannot create a process: 0 refuses any
    // that a bypassed filter would try, whatever nobody else runs on the host (NPROC counts per uid).
    nproc: 0n,
  };
  notes.push(
    `limits: core ${request.core ? (core === PLAN_RLIM_INFINITY ? 'unlimited' : core) : '0'}, nofile ${rlimits.nofile}, nproc 0`,
  );
  return { user, namespaces, rlimits, dumpable: request.core === true, notes };
}
