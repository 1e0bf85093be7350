// error-json.test.ts: a command asked for JSON reports a failure as one JSON object on stderr; text stays the default, unchanged.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorFormat as auditFormat } from '../../src/cli/commands/audit.js';
import { errorFormat as inspectFormat } from '../../src/cli/commands/inspect.js';
import { example, NABLA, ROOT } from '../helpers/paths.js';
import { runWithBytes } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const hello = example('hello');

const nabla = (args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 60_000 });

/** stderr must be exactly one line of JSON: its object. */
function oneJsonLine(stderr: string): unknown {
  expect(stderr.split('\n')).toHaveLength(2); // the line, and nothing after its newline
  return JSON.parse(stderr);
}

const ELF_LINE =
  '/bin/true: invalid executable: not a static executable (e_type 3, expected ET_EXEC 2)';

describe('nabla inspect --json', () => {
  it('an invalid ELF: one JSON object on stderr, nothing on stdout, status 1', () => {
    const r = nabla(['inspect', '--json', '/bin/true']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(oneJsonLine(r.stderr)).toEqual({
      error: { code: 'ELF_INVALID', message: ELF_LINE, exitCode: 1 },
    });
  });

  it('--json after KERNEL asks for it too; without --json the text is as before', () => {
    expect(oneJsonLine(nabla(['inspect', '/bin/true', '--json']).stderr)).toMatchObject({
      error: { code: 'ELF_INVALID' },
    });
    const text = nabla(['inspect', '/bin/true']);
    expect(text.status).toBe(1);
    expect(text.stderr).toBe(`nabla inspect: ${ELF_LINE}\n`);
  });

  it('a usage error is JSON too, without the pointer to --help', () => {
    const r = nabla(['inspect', '--json', '--bogus', hello]);
    expect(r.status).toBe(1);
    expect(oneJsonLine(r.stderr)).toEqual({
      error: { code: 'USAGE', message: 'Unknown option: --bogus', exitCode: 1 },
    });
    expect(nabla(['inspect', '--bogus', hello]).stderr).toBe(
      'nabla inspect: Unknown option: --bogus\nRun `nabla inspect --help` for usage.\n',
    );
  });

  it('quoted bytes stay escaped as in the text form: a control character and a byte that is not UTF-8', () => {
    const path = Buffer.concat([Buffer.from(join(scratch.dir, 'a\x1b')), Buffer.from([0xff])]);
    const r = runWithBytes(process.execPath, [NABLA, 'inspect', '--json', path]);
    expect(r.status).toBe(1);
    const stderr = r.stderr.toString('utf8');
    expect(stderr).not.toContain('\x1b');
    expect(oneJsonLine(stderr)).toEqual({
      error: {
        code: 'KERNEL_OPEN',
        message: `${join(scratch.dir, 'a')}\\x1b\\xff: Could not open: No such file or directory`,
        exitCode: 1,
      },
    });
  });
});

describe('nabla audit --format json', () => {
  it('a failure before the audit: one JSON object, nothing on stdout', () => {
    for (const format of [['--format', 'json'], ['--format=json']]) {
      const r = nabla(['audit', ...format, '--no-observe', '/bin/true']);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(oneJsonLine(r.stderr)).toEqual({
        error: { code: 'ELF_INVALID', message: ELF_LINE, exitCode: 1 },
      });
    }
  });

  it('text for any other format, and for --format json among the guest ARGS after KERNEL', () => {
    const line = `nabla audit: ${ELF_LINE}\n`;
    expect(nabla(['audit', '--format', 'md', '/bin/true']).stderr).toBe(line);
    expect(nabla(['audit', '--no-observe', '/bin/true', '--format', 'json']).stderr).toBe(line);
  });

  it('which words ask for JSON: the audit options before KERNEL, their values skipped', () => {
    expect(auditFormat(['--out', 'json', '--format', 'json', 'k'])).toBe('json');
    expect(auditFormat(['--out', '--format', 'k'])).toBe('text'); // the --format is --out's value
    expect(auditFormat(['--format', 'md', 'k'])).toBe('text');
    expect(auditFormat(['--format=json', '--mme=1', 'k'])).toBe('json');
    expect(auditFormat(['--', '--format=json'])).toBe('text');
    expect(auditFormat(['k', '--format=json'])).toBe('text');
    expect(inspectFormat(['k', '--json'])).toBe('json');
    expect(inspectFormat(['--', '--json'])).toBe('text');
  });
});

/** reportError run in a fresh process (it writes to descriptor 2): what it printed, and the status. */
function report(expression: string, format: 'text' | 'json', env: NodeJS.ProcessEnv = {}) {
  const script = `
    const { reportError } = await import(${JSON.stringify(join(ROOT, 'dist/cli/report.js'))});
    const { setNonBlocking } = await import(${JSON.stringify(join(ROOT, 'dist/native/index.js'))});
    let error;
    try { ${expression}; } catch (e) { error = e; }
    process.exitCode = reportError('nabla inspect', error, ${JSON.stringify(format)});`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NABLA_DEBUG: '', ...env },
  });
}

describe('failures that are no fault of the input', () => {
  it('a bug (not a NablaError): INTERNAL in JSON, `internal error:` in text', () => {
    const json = report('null.x', 'json');
    expect(json.status).toBe(1);
    const { error } = oneJsonLine(json.stderr) as { error: Record<string, unknown> };
    expect(error).toEqual({
      code: 'INTERNAL',
      message: expect.stringMatching(/null/),
      exitCode: 1,
    });
    const text = report('null.x', 'text');
    expect(text.stderr).toBe(`nabla inspect: internal error: ${error.message}\n`);
  });

  it('a failed host call (NativeError): its errno name as the code, with errno and syscall', () => {
    const call = 'setNonBlocking(1000)'; // no descriptor 1000 in that process
    const { error } = oneJsonLine(report(call, 'json').stderr) as { error: unknown };
    expect(error).toEqual({
      code: 'EBADF',
      message: 'fcntl(F_GETFL fd 1000): Bad file descriptor',
      exitCode: 1,
      errno: 9,
      syscall: 'fcntl',
    });
    expect(report(call, 'text').stderr).toBe(
      'nabla inspect: internal error: fcntl(F_GETFL fd 1000): Bad file descriptor\n',
    );
  });
});
