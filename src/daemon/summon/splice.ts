// splice.ts: carries one client connection to the guest's over a second TCP connection: both ways, half-close kept, resets passed on, backpressure by piping.
import type { Socket } from 'node:net';

/*
 * Each direction is a stream pipe: a reader is paused while its writer's buffer is full, so a
 * slow reader on one side slows the writer on the other through TCP's window, and nothing
 * grows without bound here. Both sockets are half-open capable (allowHalfOpen), so a FIN read
 * on one side becomes end() (a FIN) on the other while the opposite direction keeps flowing.
 * A reset read on one side becomes a reset on the other (resetAndDestroy: SO_LINGER 0); any
 * other failure closes the other side.
 */

/** How a spliced pair ended. */
export interface SpliceEnd {
  /** The first error either side saw (ECONNRESET when a peer reset), if any. */
  error?: NodeJS.ErrnoException;
  /** Bytes carried from the client to the guest, and back. */
  up: number;
  down: number;
}

function passOn(error: NodeJS.ErrnoException, other: Socket): void {
  if (other.destroyed) return;
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') other.resetAndDestroy();
  else other.destroy();
}

/** Splices `client` and `guest` (both connected); resolves once both have closed. */
export function splice(client: Socket, guest: Socket): Promise<SpliceEnd> {
  return new Promise((resolve) => {
    let firstError: NodeJS.ErrnoException | undefined;
    let open = 2;
    const watch = (self: Socket, other: Socket) => {
      self.on('error', (error: NodeJS.ErrnoException) => {
        firstError ??= error;
        passOn(error, other);
      });
      self.once('close', () => {
        // Closed while the other is still open: normally the other has already been ended by
        // the pipe and is flushing its last writes, which end() lets it finish (destroy() would
        // drop them). Hard closes (the guest died) are the owner's: it destroys both.
        if (!other.destroyed) other.end();
        if (--open === 0) {
          resolve({ error: firstError, up: guest.bytesWritten, down: client.bytesWritten });
        }
      });
    };
    watch(client, guest);
    watch(guest, client);
    client.pipe(guest);
    guest.pipe(client);
    client.resume();
  });
}
