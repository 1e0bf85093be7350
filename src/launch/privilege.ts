// privilege.ts: decides what a guest keeps: its user and group, namespaces, resource limits, dumpability.
import { readFileSync } from 'node:fs';
import { NablaError } from '../errors.js';
import {
  type GroupEntry,
  groupByName,
  type UserEntry,
  userById,
  userByName,
} from '../native/accounts.js';
import { NativeError } from '../native/errors.js';
import type { PlanPrivileges } from '../plan/encode.js';
import { PLAN_ID_KEEP, PLAN_NS, PLAN_RLIM_INFINITY } from '../plan/format.js';
import { escapeText } from '../text-escape.js';

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

/**
 * The user and group databases as the C library sees them: /etc/passwd and /etc/group, and
 * whatever else nsswitch.conf lists (LDAP, sssd, systemd-homed). Injectable for tests.
 */
export interface AccountDatabase {
  userByName(name: string): UserEntry | null;
  userById(uid: number): UserEntry | null;
  groupByName(name: string): GroupEntry | null;
}

const SYSTEM_ACCOUNTS: AccountDatabase = { userByName, userById, groupByName };

/** What the decision depends on besides the request: the caller's ids and the planned descriptors. */
export interface PrivilegeContext {
  euid: number;
  uid: number;
  gid: number;
  /** The highest descriptor number the guest will hold. */
  highestFd: number;
  /** A device of the guest reaches the host's network (a tap): it keeps the host's network namespace. */
  keepsHostNetwork: boolean;
  database?: AccountDatabase;
  /** The text of /proc/self/limits (the tender inherits this process's limits). */
  limits?: string;
}

/** The kernel's overflow ids: nobody's, even where the user database has no entry for it. */
const OVERFLOW_ID = 65534;
const MAX_ID = PLAN_ID_KEEP - 1; // (uid_t)-1 means "unchanged" to the kernel

/** One lookup for --user; a lookup that fails (not: finds nothing) is the user's one line. */
function lookUp<T>(what: string, lookup: () => T): T {
  try {
    return lookup();
  } catch (error) {
    if (error instanceof NativeError) {
      throw new NablaError(`Could not look up ${what} for --user: ${error.message}`, {
        code: 'USER_LOOKUP_FAILED',
      });
    }
    throw error;
  }
}

function numericId(text: string, what: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id > MAX_ID) {
    throw new NablaError(`Malformed argument to --user: ${what} ${text} is above ${MAX_ID}`, {
      code: 'OPTION_INVALID',
    });
  }
  return id;
}

/** Resolves `NAME|UID[:GROUP|GID]` against the databases; unknown names are errors. */
export function resolveUser(
  spec: string,
  database: AccountDatabase,
): { uid: number; gid: number; name: string } {
  const match = /^([^:]+)(?::([^:]+))?$/.exec(spec);
  if (!match) {
    throw new NablaError(
      `Malformed argument to --user: '${escapeText(spec)}' (expected NAME, UID, NAME:GROUP or UID:GID)`,
      { code: 'OPTION_INVALID' },
    );
  }
  const [, userText = '', groupText] = match;
  let uid: number;
  let primary: number | undefined;
  let name: string;
  if (/^[0-9]+$/.test(userText)) {
    uid = numericId(userText, 'uid');
    const entry = lookUp(`uid ${uid}`, () => database.userById(uid));
    primary = entry?.gid;
    name = entry?.name ?? `uid ${uid}`;
  } else {
    const entry = lookUp(`user '${escapeText(userText)}'`, () => database.userByName(userText));
    if (!entry) {
      throw new NablaError(
        `Unknown user '${escapeText(userText)}' for --user: not found in the user database`,
        { code: 'USER_UNKNOWN' },
      );
    }
    uid = entry.uid;
    primary = entry.gid;
    name = entry.name;
  }
  let gid: number;
  if (groupText === undefined) {
    if (primary === undefined) {
      throw new NablaError(
        `uid ${uid} for --user has no entry in the user database, so no group: give one (--user=${uid}:GID)`,
        { code: 'USER_UNKNOWN' },
      );
    }
    gid = primary;
  } else if (/^[0-9]+$/.test(groupText)) {
    gid = numericId(groupText, 'gid');
  } else {
    const entry = lookUp(`group '${escapeText(groupText)}'`, () => database.groupByName(groupText));
    if (!entry) {
      throw new NablaError(
        `Unknown group '${escapeText(groupText)}' for --user: not found in the group database`,
        { code: 'USER_UNKNOWN' },
      );
    }
    gid = entry.gid;
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

/**
 * nobody, for a guest started by root without --user. Without an entry for it, or when the
 * lookup fails, the kernel's overflow ids serve: they are nobody's by definition.
 */
function defaultUser(database: AccountDatabase): { nobody: UserEntry | null; missing: string } {
  try {
    return { nobody: database.userByName('nobody'), missing: 'no nobody in the user database' };
  } catch (error) {
    if (!(error instanceof NativeError)) throw error;
    return { nobody: null, missing: `nobody could not be looked up, ${error.message}` };
  }
}

export function decidePrivileges(request: PrivilegeRequest, context: PrivilegeContext): Privileges {
  const notes: string[] = [];
  const database = context.database ?? SYSTEM_ACCOUNTS;
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
      const { nobody, missing } = defaultUser(database);
      user = {
        uid: nobody?.uid ?? OVERFLOW_ID,
        gid: nobody?.gid ?? OVERFLOW_ID,
        name: 'nobody',
      };
      notes.push(
        `user: nobody (uid ${user.uid}, gid ${user.gid}), the default when started as root${
          nobody ? '' : ` (${missing}: the kernel overflow ids)`
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
          { code: 'USER_NOT_PERMITTED' },
        );
      }
    }
    user = 'keep';
    notes.push(`user: kept (uid ${context.uid}, gid ${context.gid}): not started as root`);
  }

  // The guest makes no call these namespaces would answer differently; they are depth for the day
  // the filter fails. A guest with a tap keeps the host's network namespace, like its tap.
  let namespaces = PLAN_NS.user | PLAN_NS.mnt | PLAN_NS.ipc | PLAN_NS.uts | PLAN_NS.cgroup;
  if (!context.keepsHostNetwork) namespaces |= PLAN_NS.net;
  notes.push(
    `namespaces: user mnt ipc uts cgroup${context.keepsHostNetwork ? ' (net kept: the guest has a network device)' : ' net'}`,
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
