// closed-stdout.test.ts: `nabla CMD | head`: a reader that is gone ends the command with 141 and no stack.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { example, NABLA } from '../helpers/paths.js';

/**
 * Runs nabla with stdout the write end of a pipe whose read end is already closed, so that the
 * first write fails with EPIPE every time (a `| head` that has exited, without the race).
 */
function withClosedStdout(args: readonly string[]) {
  const script =
    'import os, sys\n' +
    'r, w = os.pipe()\n' +
    'os.close(r)\n' +
    'os.dup2(w, 1)\n' +
    'os.execv(sys.argv[1], sys.argv[1:])\n';
  return spawnSync('python3', ['-c', script, process.execPath, NABLA, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('nabla with a closed stdout', () => {
  it.each([
    [['inspect', example('blk')]],
    [['inspect', '--json', example('blk')]],
    [['audit', '--no-observe', '--no-footprint', '--format=html', example('hello')]],
    [['--help']],
  ])('nabla %j: status 141 (as SIGPIPE), nothing on stderr', (args) => {
    const r = withClosedStdout(args);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(141); // 128 + SIGPIPE
  });
});
