// nabla.test.ts: the `nabla` command family: help, version, and `run` with solo5-spt's syntax.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { example, NABLA } from '../helpers/paths.js';

const nabla = (args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('nabla command family', () => {
  it('lists its commands with --help', () => {
    const r = nabla(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('nabla run');
    expect(r.stdout).toContain('Examples:');
  });

  it('`nabla run` boots a guest exactly like nabla-run', () => {
    const r = nabla(['run', '--mem=32', example('hello'), '--solo5:quiet', 'x', 'y']);
    expect(r.stdout).toBe('Hello, world!\nCommand line: x y\n');
    expect(r.status).toBe(0);
  });

  it('`nabla run` reports errors under its own name', () => {
    const r = nabla(['run', '--bogus', example('hello')]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("nabla run: Invalid option: `--bogus'");
  });

  it('refuses an unknown command with one line and status 1', () => {
    const r = nabla(['frobnicate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('nabla: Unknown command: frobnicate\nRun `nabla --help` for usage.\n');
  });

  it('prints the version and ABI version', () => {
    const r = nabla(['version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^nabla \(nabla\) version \d+\.\d+\.\d+\nABI version 2\n$/);
  });
});
