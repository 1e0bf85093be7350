// peercred.test.ts: peerCredentials (SO_PEERCRED) against real unix sockets, from this process and from another user's.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NativeError, peerCredentials } from '../../src/native/index.js';
import { closedFd } from './fdinfo.js';

const dir = mkdtempSync(join(tmpdir(), 'nabla-peercred-'));
// Another user (nobody) must reach the sockets: search on the directory, write on each socket.
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The descriptor of an accepted socket (libuv's, which the daemon reads the same way). */
function fdOf(socket: Socket): number {
  return (socket as unknown as { _handle: { fd: number } })._handle.fd;
}

/** Listens on a new path, runs `connect`, and resolves with the credentials of the first peer. */
async function credentialsOfPeer(connect: (path: string) => void) {
  const path = join(dir, `s${Math.random().toString(36).slice(2)}`);
  const server = createServer();
  const accepted = new Promise<ReturnType<typeof peerCredentials>>((resolve) =>
    server.once('connection', (socket) => {
      const cred = peerCredentials(fdOf(socket));
      socket.destroy();
      resolve(cred);
    }),
  );
  await new Promise<void>((resolve) => server.listen(path, resolve));
  chmodSync(path, 0o777);
  connect(path);
  const cred = await accepted;
  server.close();
  return cred;
}

describe('peerCredentials', () => {
  it("reads this process's ids for a connection from itself", async () => {
    const { createConnection } = await import('node:net');
    let client: Socket | undefined;
    const cred = await credentialsOfPeer((path) => {
      client = createConnection(path);
      client.on('error', () => {});
    });
    client?.destroy();
    expect(cred).toEqual({ pid: process.pid, uid: process.getuid?.(), gid: process.getgid?.() });
  });

  it.runIf(process.getuid?.() === 0)(
    "reads another user's ids and pid for a client running as nobody",
    async () => {
      let pid = 0;
      const cred = await credentialsOfPeer((path) => {
        const child = spawn(
          process.execPath,
          ['-e', `require('net').createConnection(${JSON.stringify(path)}).on('error',()=>{})`],
          { uid: 65534, gid: 65534, stdio: 'ignore' },
        );
        pid = child.pid ?? 0;
      });
      expect(cred).toEqual({ pid, uid: 65534, gid: 65534 });
    },
  );

  it('reports a descriptor that is not open as EBADF', () => {
    const bad = closedFd();
    expect(() => peerCredentials(bad)).toThrow(NativeError);
    expect(() => peerCredentials(bad)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
