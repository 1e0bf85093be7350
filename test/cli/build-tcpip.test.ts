// build-tcpip.test.ts: `nabla build --tcpip` (or nabla-build.json) links the SDK's TCP/IP stack, for spt and hosted alike; without it lwIP is not there.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NABLA } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const nabla = (args: string[]) =>
  spawnSync(process.execPath, [NABLA, ...args], {
    encoding: 'utf8',
    timeout: 180_000,
    cwd: scratch.dir,
  });

// Parses its own command line with the stack's parser and prints what it read; it uses an
// lwIP function too (ip4addr_ntoa), so it links only with the stack.
const APP = `#include "solo5.h"
#include "nabla_lib.h"
#include "nabla_tcpip.h"
#include "lwip/ip4_addr.h"
int solo5_app_main(const struct solo5_start_info *si)
{
    struct nabla_tcpip_config c;
    char error[160];
    if (!nabla_tcpip_parse(si->cmdline, &c, error, sizeof error)) {
        printf("%s\\n", error);
        return 1;
    }
    ip4_addr_t a = {c.address}, g = {c.gateway};
    printf("%s/%u", ip4addr_ntoa(&a), c.prefix);
    printf(" gateway %s\\n", c.has_gateway ? ip4addr_ntoa(&g) : "none");
    return 0;
}
`;

function app(name: string, settings?: string): string {
  const dir = join(scratch.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.c'), APP);
  writeFileSync(join(dir, 'manifest.json'), '{"type":"solo5.manifest","version":1,"devices":[]}\n');
  if (settings !== undefined) writeFileSync(join(dir, 'nabla-build.json'), settings);
  return dir;
}

describe('nabla build --tcpip', () => {
  it('links the stack into a unikernel; its parser reads the MirageOS options', () => {
    const r = nabla(['build', '--tcpip', app('plain'), '-o', 'cfg.nabla']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const kernel = join(scratch.dir, 'cfg.nabla');
    const run = (args: string[]) => nablaRun([kernel, '--solo5:quiet', ...args]);
    expect(run([]).stdout).toBe('10.0.0.2/24 gateway none\n'); // MirageOS's default
    expect(run(['x', '--ipv4=192.168.7.9/16', '--ipv4-gateway=192.168.0.1', 'y']).stdout).toBe(
      '192.168.7.9/16 gateway 192.168.0.1\n',
    );
    expect(run(['--ipv4=0.0.0.0/0']).stdout).toBe('0.0.0.0/0 gateway none\n');
    for (const bad of [
      '--ipv4=010.0.0.1/8',
      '--ipv4=1.2.3.4/024',
      '--ipv4=1.2.3.4/',
      '--ipv4=1.2.3.4 /8',
    ]) {
      const refused = run([bad]);
      expect(refused.status, bad).toBe(1);
      expect(refused.stdout, bad).toMatch(/^tcpip: --ipv4=\S*: expected ADDR\/PREFIX/);
    }
    const long = `--ipv4-gateway=${'9'.repeat(100)}`;
    expect(run([long]).stdout).toBe(
      `tcpip: ${long.slice(0, 64)}...: expected ADDR, e.g. --ipv4-gateway=10.0.0.1\n`,
    );
  });

  it('the hosted build links the same stack', () => {
    const r = nabla(['build', '--tcpip', '--target', 'hosted', app('hosted'), '-o', 'cfg.hosted']);
    expect(r.stderr).toBe('');
    const run = spawnSync(join(scratch.dir, 'cfg.hosted'), ['--', '--ipv4=172.16.0.5/12'], {
      encoding: 'utf8',
    });
    expect(run.stdout).toContain('172.16.0.5/12 gateway none\n');
    expect(run.status).toBe(0);
  });

  it('without --tcpip the stack is not there: the build fails', () => {
    const r = nabla(['build', app('without'), '-o', 'no.nabla']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('lwip/ip4_addr.h: No such file or directory');
  });

  it('"tcpip": true in DIR/nabla-build.json does what --tcpip does', () => {
    const r = nabla(['build', app('sidecar', '{ "tcpip": true }\n'), '-o', 'side.nabla']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('built side.nabla (spt)\n');
  });

  it.each([
    ['{ "tcpip": "yes" }', 'nabla-build.json: tcpip: expected true or false'],
    ['{ "tcp": true }', 'nabla-build.json: tcp: unexpected key (expected tcpip)'],
    ['[]', 'nabla-build.json: expected a JSON object'],
    ['{', 'nabla-build.json: invalid JSON: '],
  ])('a bad nabla-build.json (%s) is refused in one line', (text, message) => {
    const dir = app(`bad${text.length}${text.charCodeAt(2)}`, text);
    const r = nabla(['build', dir, '-o', 'bad.nabla']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`nabla build: ${join(dir, message)}`);
  });
});
