// privilege.test.ts: what a guest keeps, decided from the caller's ids, the account files and the devices.
import { describe, expect, it } from 'vitest';
import { NablaError } from '../../src/errors.js';
import {
  decidePrivileges,
  hardCoreLimit,
  type PrivilegeContext,
  resolveUser,
} from '../../src/launch/privilege.js';
import { PLAN_NS, PLAN_RLIM_INFINITY } from '../../src/plan/format.js';

const database = {
  passwd: [
    'root:x:0:0:root:/root:/bin/bash',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    'broken line',
    'alice:x:1000:1000::/home/alice:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  ].join('\n'),
  group: ['root:x:0:', 'adm:x:4:alice', 'alice:x:1000:', 'nogroup:x:65534:'].join('\n'),
};

const asRoot: PrivilegeContext = {
  euid: 0,
  uid: 0,
  gid: 0,
  highestFd: 5,
  hasNet: false,
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
  it('resolves names, numbers and groups from /etc/passwd and /etc/group', () => {
    expect(resolveUser('daemon', database)).toEqual({ uid: 1, gid: 1, name: 'daemon' });
    expect(resolveUser('alice:adm', database)).toEqual({ uid: 1000, gid: 4, name: 'alice' });
    expect(resolveUser('1000', database)).toEqual({ uid: 1000, gid: 1000, name: 'alice' });
    expect(resolveUser('4242:4343', database)).toEqual({ uid: 4242, gid: 4343, name: 'uid 4242' });
  });

  it.each([
    ['mallory', "Unknown user 'mallory' for --user: not in /etc/passwd"],
    ['alice:wheel', "Unknown group 'wheel' for --user: not in /etc/group"],
    [
      '4242',
      'uid 4242 for --user has no entry in /etc/passwd, so no group: give one (--user=4242:GID)',
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
    const bare = { ...asRoot, database: { passwd: 'root:x:0:0::/:/bin/sh', group: '' } };
    expect(decidePrivileges({}, bare).user).toEqual({ uid: 65534, gid: 65534, name: 'nobody' });
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
    expect(decidePrivileges({}, { ...asRoot, hasNet: true }).namespaces).toBe(base);
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
