// closed-stdout.ts: a reader that goes away (`nabla inspect K | head`) ends the command quietly.

/** The status a shell shows for a C tool killed by SIGPIPE: 128 + 13. */
const SIGPIPE_STATUS = 141;

/**
 * Node ignores SIGPIPE, so a write to a pipe nobody reads fails with EPIPE, which an unhandled
 * stream error turns into a stack trace. End instead as a C tool would end (status 141, no
 * output): the reader has what it wanted. Any other stdout error is still raised.
 */
export function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(SIGPIPE_STATUS);
    throw error;
  });
}
