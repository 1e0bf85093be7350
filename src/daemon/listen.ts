// listen.ts: the daemon's unix socket: its directory, a stale socket file removed, a live daemon refused, and its mode and group.
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, type Server } from 'node:net';
import { dirname } from 'node:path';
import { NablaError } from '../errors.js';

const socketError = (message: string, cause?: unknown) =>
  new NablaError(message, { code: 'DAEMON_SOCKET', cause });

/** True when a process accepts connections on the unix socket at `path`. */
export function someoneListens(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Makes room for the socket: refuses a live one or a file that is not a socket, removes a stale one. */
async function clear(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw socketError(`${path}: exists and is not a socket; not touching it`);
  if (await someoneListens(path))
    throw socketError(`another daemon is listening on ${path} (stop it, or give --socket PATH)`);
  unlinkSync(path); // stale: its daemon ended without removing it
}

function listenOnce(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(path, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * Listens on `path`: mode 0600, or 0660 with group `gid`. The socket is made under a umask that
 * gives it no more than that from the start, so no other user can connect before the chmod.
 */
export async function listenOnSocket(
  server: Server,
  path: string,
  gid: number | null,
): Promise<void> {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  } catch (error) {
    throw socketError(
      `${dirname(path)}: cannot make the socket's directory: ${(error as Error).message}`,
      error,
    );
  }
  await clear(path);
  const mode = gid === null ? 0o600 : 0o660;
  const umask = process.umask(0o777 & ~mode);
  try {
    await listenOnce(server, path).catch(async (error: NodeJS.ErrnoException) => {
      // Another daemon made it between the check and the listen: say so, as clear() would.
      if (error.code === 'EADDRINUSE') await clear(path);
      throw socketError(`${path}: cannot listen: ${error.message}`, error);
    });
  } finally {
    process.umask(umask);
  }
  try {
    if (gid !== null) chownSync(path, -1, gid);
    chmodSync(path, mode);
  } catch (error) {
    server.close();
    throw socketError(
      `${path}: cannot set the socket's group or mode: ${(error as Error).message}`,
      error,
    );
  }
}
