// privilege.test.ts: what a guest keeps, decided from the caller's ids, the user and group databases and the devices.
import { describe, expect, it } from 'vitest';
import { NablaError } from '../../src/errors.js';
import {
  type AccountDatabase,
  decidePrivileges,
  hardCoreLimit,
  type PrivilegeContext,
  resolveUser,
} from '../../src/launch/privilege.js';
import type { GroupEntry, UserEntry } from '../../src/native/accounts.js';
import { NativeError } from '../../src/native/errors.js';
import { PLAN_NS, PLAN_RLIM_INFINITY } from '../../src/plan/format.js';

/** A database that answers as the C library would from these entries (the first match wins). */
function accounts(users: UserEntry[], groups: GroupEntry[]): AccountDatabase {
  return {
    userByName: (name) => users.find((u) => u.name === name) ?? null,
    userById: (uid) => users.find((u) => u.uid === uid) ?? null,
    groupByName: (name) => groups.find((g) => g.name === name) ?? null,
  };
}

const database = accounts(
  [
    { name: 'root', uid: 0, gid: 0 },
    { name: 'daemon', uid: 1, gid: 1 },
    { name: 'alice', uid: 1000, gid: 1000 },
    { name: 'nobody', uid: 65534, gid: 65534 },
  ],
  [
    { name: 'root', gid: 0 },
    { name: 'adm', gid: 4 },
    { name: 'alice', gid: 1000 },
    { name: 'nogroup', gid: 65534 },
  ],
);

/** A source that fails (an LDAP server gone): what getpwnam_r reports as EIO. */
const eio = (call: string, subject: string) =>
  new NativeError(`${call}(${subject}): Input/output error`, 'EIO', 5, call);
const failing: AccountDatabase = {
  userByName: (name) => {
    throw eio('getpwnam_r', name);
  },
  userById: (uid) => {
    throw eio('getpwuid_r', `uid ${uid}`);
  },
  groupByName: (name) => {
    throw eio('getgrnam_r', name);
  },
};

const asRoot: PrivilegeContext = {
  euid: 0,
  uid: 0,
  gid: 0,
  highestFd: 5,
  keepsHostNetwork: false,
  database,
  limits: 'Max core file size        0                    unlimited            bytes     \n',
};
const asAlice: PrivilegeContext = { ...asRoot, euid: 1000, uid: 1000, gid: 1000 };

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof NablaError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('privilege decisions', () => {
  it('resolves names, numbers and groups from the user and group databases', () => {
    expect(resolveUser('daemon', database)).toEqual({ uid: 1, gid: 1, name: 'daemon' });
    expect(resolveUser('alice:adm', database)).toEqual({ uid: 1000, gid: 4, name: 'alice' });
    expect(resolveUser('1000', database)).toEqual({ uid: 1000, gid: 1000, name: 'alice' });
    expect(resolveUser('4242:4343', database)).toEqual({ uid: 4242, gid: 4343, name: 'uid 4242' });
  });

  it.each([
    ['mallory', "Unknown user 'mallory' for --user: not found in the user database"],
    ['alice:wheel', "Unknown group 'wheel' for --user: not found in the group database"],
    [
      '4242',
      'uid 4242 for --user has no entry in the user database, so no group: give one (--user=4242:GID)',
    ],
    ['a:b:c', "Malformed argument to --user: 'a:b:c' (expected NAME, UID, NAME:GROUP or UID:GID)"],
    ['4294967295', 'Malformed argument to --user: uid 4294967295 is above 4294967294'],
  ])('--user=%s fails: %s', (spec, message) => {
    expect(failure(() => resolveUser(spec, database))).toBe(message);
  });

  it('root: nobody by default, --user honoured, root asking for root keeps its ids', () => {
    expect(decidePrivileges({}, asRoot).user).toEqual({ uid: 65534, gid: 65534, name: 'nobody' });
    expect(decidePrivileges({ user: 'alice:adm' }, asRoot).user).toEqual({
      uid: 1000,
      gid: 4,
      name: 'alice',
    });
    expect(decidePrivileges({ user: 'root' }, asRoot).user).toBe('keep');
    // No nobody in the database: the kernel's overflow ids.
    const bare = { ...asRoot, database: accounts([{ name: 'root', uid: 0, gid: 0 }], []) };
    expect(decidePrivileges({}, bare).user).toEqual({ uid: 65534, gid: 65534, name: 'nobody' });
    expect(decidePrivileges({}, bare).notes[0]).toBe(
      'user: nobody (uid 65534, gid 65534), the default when started as root (no nobody in the user database: the kernel overflow ids)',
    );
  });

  it('a lookup that fails is one line naming what was looked up; for nobody, the overflow ids', () => {
    expect(failure(() => resolveUser('mallory', failing))).toBe(
      "Could not look up user 'mallory' for --user: getpwnam_r(mallory): Input/output error",
    );
    expect(failure(() => resolveUser('4242', failing))).toBe(
      'Could not look up uid 4242 for --user: getpwuid_r(uid 4242): Input/output error',
    );
    expect(
      failure(() => resolveUser('4242:wheel', { ...database, groupByName: failing.groupByName })),
    ).toBe("Could not look up group 'wheel' for --user: getgrnam_r(wheel): Input/output error");
    const cut = decidePrivileges({}, { ...asRoot, database: failing });
    expect(cut.user).toEqual({ uid: 65534, gid: 65534, name: 'nobody' });
    expect(cut.notes[0]).toBe(
      'user: nobody (uid 65534, gid 65534), the default when started as root (nobody could not be looked up, getpwnam_r(nobody): Input/output error: the kernel overflow ids)',
    );
  });

  it('not root: keeps its ids; --user naming itself is fine, anyone else is an error', () => {
    expect(decidePrivileges({}, asAlice).user).toBe('keep');
    expect(decidePrivileges({ user: 'alice' }, asAlice).user).toBe('keep');
    expect(failure(() => decidePrivileges({ user: 'nobody' }, asAlice))).toBe(
      '--user=nobody needs root: running as uid 1000, gid 1000',
    );
  });

  it('an empty network namespace only for a guest without a network device', () => {
    const base = PLAN_NS.user | PLAN_NS.mnt | PLAN_NS.ipc | PLAN_NS.uts | PLAN_NS.cgroup;
    expect(decidePrivileges({}, asRoot).namespaces).toBe(base | PLAN_NS.net);
    expect(decidePrivileges({}, { ...asRoot, keepsHostNetwork: true }).namespaces).toBe(base);
  });

  it('limits: no core unless asked (then the hard limit), nofile above the planned numbers, nproc 0', () => {
    const strict = decidePrivileges({}, asRoot);
    expect(strict.rlimits).toEqual({ core: 0n, nofile: 6n, nproc: 0n });
    expect(strict.dumpable).toBe(false);
    const core = decidePrivileges({ core: true }, asRoot);
    expect(core.rlimits.core).toBe(PLAN_RLIM_INFINITY);
    expect(core.dumpable).toBe(true);
    expect(
      hardCoreLimit('Max core file size        0                    1048576              bytes'),
    ).toBe(1048576n);
  });
});
