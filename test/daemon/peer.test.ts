// peer.test.ts: who may use the daemon: its socket's mode and group, and each connection's SO_PEERCRED judged (root, the daemon's uid, --group members), with real clients running as other users.
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DaemonProcess, eventually, startDaemon } from '../helpers/daemon.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
// Other users must reach the socket's directory to be judged at all.
chmodSync(scratch.dir, 0o755);
let daemon: DaemonProcess;

const NOGROUP = 65534;
/** A uid and gid no account has, so it is in no group but its own. */
const STRANGER = 54321;

/** curl as another user (setpriv sets its ids and supplementary groups): status, body, curl's exit. */
function curlAs(
  uid: number,
  gid: number,
  groups: number[],
  path = '/v1/version',
  extra: string[] = [],
) {
  const r = spawnSync(
    'setpriv',
    [
      `--reuid=${uid}`,
      `--regid=${gid}`,
      groups.length === 0 ? '--clear-groups' : `--groups=${groups.join(',')}`,
      'curl',
      '-s',
      '-w',
      '\n%{http_code}',
      ...extra,
      '--unix-socket',
      daemon.socket,
      `http://nabla${path}`,
    ],
    { encoding: 'utf8' },
  );
  const lines = r.stdout.split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n'), exit: r.status };
}

describe.runIf(process.getuid?.() === 0)('who may use the daemon', () => {
  beforeAll(async () => {
    daemon = await startDaemon(scratch.dir, { args: ['--group', 'nogroup'] });
  });
  afterAll(async () => {
    await daemon?.stop();
  });

  it('makes its socket mode 0660, group --group', () => {
    const st = statSync(daemon.socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.gid).toBe(NOGROUP);
  });

  it('lets in a client whose group is --group, and one that has it as a supplementary group', () => {
    const primary = curlAs(NOGROUP, NOGROUP, []);
    expect(primary.status).toBe(200);
    expect(JSON.parse(primary.body).api).toBe('v1');
    const supplementary = curlAs(STRANGER, STRANGER, [NOGROUP]);
    expect(supplementary.status).toBe(200);
  });

  it('leaves the others to the socket mode: they cannot connect at all', () => {
    const r = curlAs(STRANGER, STRANGER, []);
    expect(r.exit).toBe(7); // curl: could not connect
  });

  it('refuses with 403 DAEMON_FORBIDDEN a client the mode let through, and closes the connection', async () => {
    // As if someone opened the socket to everyone: the credentials check still holds.
    chmodSync(daemon.socket, 0o666);
    try {
      const r = curlAs(STRANGER, STRANGER, [], '/v1/instances');
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toEqual({
        error: {
          code: 'DAEMON_FORBIDDEN',
          message: `uid ${STRANGER} may not use this daemon: only root, uid 0 and members of group nogroup (gid ${NOGROUP}) may`,
        },
      });
      expect(r.exit).toBe(0);
      const headers = curlAs(STRANGER, STRANGER, [], '/v1/instances', ['-i']);
      expect(headers.body).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(headers.body).toMatch(/\r\nConnection: close\r\n/i);
      await eventually(() => daemon.stderr().includes(`uid ${STRANGER} may not use this daemon`));
    } finally {
      chmodSync(daemon.socket, 0o660);
    }
  });
});
