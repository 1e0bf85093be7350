// raw-argv.test.ts: the arguments' bytes from /proc/self/cmdline, checked against process.argv, or a clear refusal.
import { describe, expect, it } from 'vitest';
import { type ProcessView, rawArguments } from '../../src/cli/raw-argv.js';
import { NablaError } from '../../src/errors.js';

const nul = (...args: Array<string | Buffer>) =>
  Buffer.concat(args.flatMap((a) => [Buffer.from(a), Buffer.of(0)]));

function view(
  cmdline: Buffer | (() => Buffer),
  argv: string[],
  execArgv: string[] = [],
): ProcessView {
  return { argv, execArgv, cmdline: typeof cmdline === 'function' ? cmdline : () => cmdline };
}

describe('raw arguments', () => {
  it('takes our arguments from the end of the kernel copy, as lossless text', () => {
    const raw = nul('node', '--stack-size=900', 'bin/nabla-run.js', Buffer.of(0x61, 0xff), '', 'x');
    const argv = ['/usr/bin/node', '/abs/bin/nabla-run.js', 'a\ufffd', '', 'x'];
    expect(rawArguments(view(raw, argv, ['--stack-size=900']))).toEqual(['a\udcff', '', 'x']);
  });

  it('falls back to process.argv when the copy disagrees, if nothing was lost', () => {
    const argv = ['node', 'script', 'k.nabla', 'ü'];
    // A rewritten area (process.title), a count that does not add up (node -- script), no /proc.
    expect(rawArguments(view(nul('renamed'), argv))).toEqual(['k.nabla', 'ü']);
    expect(rawArguments(view(nul('node', '--', 'script', 'k.nabla', 'ü'), argv))).toEqual([
      'k.nabla',
      'ü',
    ]);
    const missing = () => {
      throw new Error('ENOENT: no such file or directory');
    };
    expect(rawArguments(view(missing, argv))).toEqual(['k.nabla', 'ü']);
  });

  it('refuses to guess when the copy disagrees and an argument was decoded lossily', () => {
    const argv = ['node', 'script', 'k\ufffd'];
    expect(() => rawArguments(view(nul('node', 'script', 'other'), argv))).toThrow(
      new NablaError(
        'Cannot read the argument bytes from /proc/self/cmdline (it does not match the arguments Node decoded), and an argument is not valid UTF-8',
        { code: 'ARGV_UNREADABLE' },
      ),
    );
    expect(() => rawArguments(view(nul('node', 'x', 'script', 'k'), argv))).toThrow(
      /it holds 4 arguments where 3 were expected/,
    );
  });

  it('reads this very process', () => {
    // Vitest's worker: whatever its argv, the check either matches or falls back losslessly.
    expect(rawArguments()).toEqual(process.argv.slice(2));
  });
});
