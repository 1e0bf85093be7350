// accounts.test.ts: users and groups through the addon are what getent (the C library, NSS) says.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { groupByName, lookUp, userById, userByName } from '../../src/native/accounts.js';
import { NativeError } from '../../src/native/errors.js';

/** getent's lines for a database and keys (none: every entry it can list). */
function getent(database: 'passwd' | 'group', ...keys: string[]): string[][] {
  const r = spawnSync('getent', [database, ...keys], { encoding: 'utf8' });
  // 2: one or more keys not found.
  if (r.status !== 0 && r.status !== 2) throw new Error(`getent ${database}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':'));
}

describe('the user and group databases through the addon', () => {
  it('every user getent lists, by name and by uid, as getent gives it', () => {
    const users = getent('passwd');
    expect(users.length).toBeGreaterThanOrEqual(3);
    for (const [name = '', , uid = '', gid = ''] of users) {
      expect(userByName(name)).toEqual({ name, uid: Number(uid), gid: Number(gid) });
      // By uid: the first entry with it, as getent passwd UID finds it.
      const [first] = getent('passwd', uid);
      expect(userById(Number(uid))).toEqual({
        name: first?.[0],
        uid: Number(first?.[2]),
        gid: Number(first?.[3]),
      });
    }
  });

  it('every group getent lists, by name, as getent gives it', () => {
    const groups = getent('group');
    expect(groups.length).toBeGreaterThanOrEqual(3);
    for (const [name = '', , gid = ''] of groups) {
      expect(groupByName(name)).toEqual({ name, gid: Number(gid) });
    }
  });

  it('null for what no source knows, as getent finds nothing', () => {
    expect(getent('passwd', 'nabla-no-such-user', '4000000000')).toEqual([]);
    expect(getent('group', 'nabla-no-such-group')).toEqual([]);
    expect(userByName('nabla-no-such-user')).toBeNull();
    expect(userById(4_000_000_000)).toBeNull();
    expect(groupByName('nabla-no-such-group')).toBeNull();
  });

  it('rejects what C would misread, before the addon', () => {
    expect(() => userByName('')).toThrow("Expected a non-empty string for name but received ''");
    expect(() => groupByName('a\0b')).toThrow(
      "Expected a string without NUL characters for name but received 'a\\x00b'",
    );
    expect(() => userById(-1)).toThrow(
      'Expected a uid (an integer from 0 to 4294967295) for uid but received -1',
    );
  });
});

describe('lookUp: what a lookup error means', () => {
  const failing = (code: string, errno: number) => () => {
    throw Object.assign(new Error(`getpwnam_r(x): ${code}`), {
      code,
      errno,
      syscall: 'getpwnam_r',
    });
  };

  it.each([
    ['ENOENT', 2],
    ['ESRCH', 3],
    ['EBADF', 9],
    ['EPERM', 1],
  ])('%s is "no such entry" (getpwnam(3)): null', (code, errno) => {
    expect(lookUp(failing(code, errno))).toBeNull();
  });

  it('any other errno is a failed lookup: NativeError with it', () => {
    expect(() => lookUp(failing('EIO', 5))).toThrow(
      new NativeError('getpwnam_r(x): EIO', 'EIO', 5, 'getpwnam_r'),
    );
  });

  it('an entry or null passes through', () => {
    expect(lookUp(() => ({ name: 'x', gid: 1 }))).toEqual({ name: 'x', gid: 1 });
    expect(lookUp(() => null)).toBeNull();
  });
});
