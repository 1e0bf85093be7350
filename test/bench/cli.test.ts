// cli.test.ts: `nabla bench` options: --only, --peer and --runs parsing and the errors for bad values.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseOnly, parsePeers } from '../../src/cli/commands/bench.js';
import { NABLA } from '../helpers/paths.js';

const nabla = (args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('nabla bench options', () => {
  it('--only takes commas and repeats alike', () => {
    expect(parseOnly(['boot,density', 'block'])).toEqual(['boot', 'density', 'block']);
    expect(parseOnly(undefined)).toBeUndefined();
  });

  it('--peer NAME=PATH, each NAME once', () => {
    expect(parsePeers(['solo5-spt=/opt/solo5/bin/solo5-spt'])).toEqual({
      'solo5-spt': '/opt/solo5/bin/solo5-spt',
    });
    expect(() => parsePeers(['solo5-spt'])).toThrow(
      'Expected NAME=PATH for --peer but received "solo5-spt"',
    );
    expect(() => parsePeers(['a=/x', 'a=/y'])).toThrow('--peer a given twice');
  });

  it('names an unknown scenario and lists the known ones, before running anything', () => {
    const r = nabla(['bench', '--only', 'boot,nope', '--out', '/nonexistent/never']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "nabla: unknown scenario 'nope'; known: boot, hypercalls, block, network, density\n",
    );
  });

  it('refuses --runs that is not a positive integer', () => {
    const r = nabla(['bench', '--runs', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Expected a positive integer for --runs but received 0');
  });
});
