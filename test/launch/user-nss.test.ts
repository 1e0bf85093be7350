// user-nss.test.ts: --user finds a user that only an NSS module knows, as LDAP, sssd and systemd-homed users are known.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { example, NABLA_RUN, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

/*
 * The module (nss/nss_nablatest.c) serves nabla-nss-user (uid 4242, primary group 4343) and the
 * groups nabla-nss-group (4343) and nabla-nss-extra (4344); no /etc file lists them. Each run
 * happens in a private mount namespace where /etc/nsswitch.conf is bind-mounted over with one
 * that names the module after "files", and LD_LIBRARY_PATH lets the C library load it. Mounting
 * needs root.
 */
const root = process.geteuid?.() === 0;
const scratch = useScratch();
const NSSWITCH = 'passwd: files nablatest\ngroup: files nablatest\n';

beforeAll(() => {
  if (!root) return;
  execFileSync('gcc', [
    ...['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror'],
    ...['-o', join(scratch.dir, 'libnss_nablatest.so.2')],
    join(ROOT, 'test/launch/nss/nss_nablatest.c'),
  ]);
  scratch.file('nsswitch.conf', NSSWITCH);
});

/** Runs `argv` where the C library consults the test module for users and groups. */
function withModule(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const mountThenExec = 'mount --bind "$1" /etc/nsswitch.conf && shift && exec "$@"';
  const r = spawnSync(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', mountThenExec, 'sh'].concat(
      join(scratch.dir, 'nsswitch.conf'),
      argv,
    ),
    {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, LD_LIBRARY_PATH: scratch.dir },
    },
  );
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(root)('--user through NSS', () => {
  it('the module serves its user and groups, which /etc/passwd and /etc/group do not list', () => {
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('nabla-nss');
    expect(readFileSync('/etc/group', 'utf8')).not.toContain('nabla-nss');
    const r = withModule(['getent', 'passwd', 'nabla-nss-user']);
    expect(r.stdout).toBe('nabla-nss-user:x:4242:4343::/:/bin/false\n');
    expect(withModule(['getent', 'group', 'nabla-nss-extra']).stdout).toBe(
      'nabla-nss-extra:x:4344:\n',
    );
  });

  it.each([
    ['nabla-nss-user', 'nabla-nss-user (uid 4242, gid 4343)', 4343],
    ['nabla-nss-user:nabla-nss-extra', 'nabla-nss-user (uid 4242, gid 4344)', 4344],
    ['4242', 'nabla-nss-user (uid 4242, gid 4343)', 4343],
    ['4242:nabla-nss-extra', 'nabla-nss-user (uid 4242, gid 4344)', 4344],
  ])('--user=%s: the guest runs as %s', (spec, who, gid) => {
    const r = withModule([
      process.execPath,
      NABLA_RUN,
      '--verbose',
      `--user=${spec}`,
      '--mem=8',
      example('hello'),
      'quiet',
    ]);
    expect(r.stderr).toContain(`nabla-run: plan: user: ${who}, as --user asks\n`);
    expect(r.stderr).toContain(`nabla-run: user: uid 0 -> 4242, gid 0 -> ${gid},`);
    expect(r.stdout).toContain('Hello, world!');
    expect(r.status).toBe(0);
  });
});
