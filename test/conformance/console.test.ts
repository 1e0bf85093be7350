// console.test.ts: upstream's hello, quiet and output outcomes: the guest's console and command line.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { conformanceGuest, expectSuccess, sptRun } from '../helpers/conformance.js';

/** What output.c writes: lines of exactly 64 bytes, each naming its kind and number. */
function outputLine(kind: string, n: number): string {
  let line = `${kind} line ${String(n).padStart(5, '0')} `;
  for (let i = line.length; i < 63; i++) line += String.fromCharCode(97 + ((n + i) % 26));
  return `${line}\n`;
}

function expectedOutput(): string {
  const lines = ['\n**** nabla conformance: output ****\n\n', '[]\n'];
  for (let n = 0; n < 65; n++) lines.push(outputLine('page', n));
  for (let n = 0; n < 4096; n++) lines.push(outputLine('bulk', n));
  lines.push('SUCCESS\n');
  return lines.join('');
}

describe('console conformance', () => {
  it('noexec host', () => {
    // A unikernel is not a host program: its PT_INTERP names a loader that does not exist,
    // so execve fails with ENOENT and a shell reports 127, as upstream's test expects.
    const path = conformanceGuest('hello');
    const shell = spawnSync('bash', ['-c', '"$0" Hello_Solo5', path], { encoding: 'utf8' });
    expect(shell.status).toBe(127);
    expect(shell.stdout).toBe('');
    // Upstream also matches bash's wording of ENOENT, which bash 5.2 changed ("required file
    // not found"); the kernel's answer itself is what matters.
    const direct = spawnSync(path, ['Hello_Solo5']);
    expect((direct.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });

  it('hello spt', () => {
    const r = sptRun([conformanceGuest('hello'), 'Hello_Solo5']);
    expectSuccess(r);
    expect(r.stdout).toContain('Hello, World\n');
    expect(r.stdout).toContain("Command line is: 'Hello_Solo5'\n");
    expect(r.stderr).toBe('');
  });

  it('hello spt: the command line is the arguments joined by single spaces', () => {
    // Without Hello_Solo5 there is no SUCCESS: the guest really compares what it got.
    const r = sptRun(['--', conformanceGuest('hello'), 'one', 'two', 'three']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Command line is: 'one two three'\n");
    expect(r.stdout).not.toContain('SUCCESS');
  });

  it('quiet spt', () => {
    const r = sptRun(['--', conformanceGuest('quiet'), '--solo5:quiet']);
    expectSuccess(r);
    expect(r.stdout + r.stderr).not.toContain('Solo5:');
    // The option is the bindings', so the application sees an empty command line.
    expect(r.stdout).toContain("Command line is: ''\n");
  });

  it('quiet spt: without --solo5:quiet the bindings do print Solo5: lines', () => {
    // Shows the previous test's "no Solo5:" is the option's doing.
    const r = sptRun([conformanceGuest('quiet')]);
    expectSuccess(r);
    expect(r.stdout).toContain('Solo5: ');
  });

  it('output spt', () => {
    // 0, 1 and 2 bytes, one write of 4160 bytes and one of 256 KiB (four pipe buffers).
    const r = sptRun([conformanceGuest('output'), '--solo5:quiet']);
    expect(r.status, r.stderr).toBe(0);
    const want = expectedOutput();
    let at = 0;
    while (at < want.length && want[at] === r.stdout[at]) at++;
    // Report where the output first differs rather than diffing 266 KB.
    expect({ length: r.stdout.length, firstDifference: at }).toEqual({
      length: want.length,
      firstDifference: want.length,
    });
    expect(r.stdout === want).toBe(true);
  });
});
