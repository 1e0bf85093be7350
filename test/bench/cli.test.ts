// cli.test.ts: `nabla bench` options (--only, --peer, --runs) and their errors, a peer in use, and Ctrl-C cleanup.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parentMap, processTree } from '../../src/bench/procs.js';
import type { BenchReport } from '../../src/bench/types.js';
import { parseOnly, parsePeers } from '../../src/cli/commands/bench.js';
import { NABLA, NABLA_RUN } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

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
      'nabla bench: Unknown scenario for --only: nope; known: boot, audit, hypercalls, block, network, http, summon, density, start, daemon\n' +
        'Run `nabla bench --help` for usage.\n',
    );
  });

  it('names an unknown peer and lists the known ones, before running anything', () => {
    const r = nabla(['bench', '--peer', 'qemu=/usr/bin/qemu', '--out', '/nonexistent/never']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'nabla bench: Unknown peer for --peer: qemu; known: solo5-spt\n' +
        'Run `nabla bench --help` for usage.\n',
    );
  });

  it('refuses --runs that is not a positive integer', () => {
    const r = nabla(['bench', '--runs', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'nabla bench: Expected a positive integer for --runs but received "0"\n' +
        'Run `nabla bench --help` for usage.\n',
    );
  });
});

describe('nabla bench runs', () => {
  it('uses a --peer solo5-spt=PATH for the boot scenario (here a stand-in that runs nabla-run)', () => {
    const peer = join(scratch.dir, 'solo5-spt');
    writeFileSync(peer, `#!/bin/sh\nexec "${process.execPath}" "${NABLA_RUN}" "$@"\n`, {
      mode: 0o755,
    });
    const out = join(scratch.dir, 'peer');
    const r = nabla([
      'bench',
      '--only',
      'boot',
      '--runs',
      '1',
      '--peer',
      `solo5-spt=${peer}`,
      '--out',
      out,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchReport;
    expect(report.options.peers).toEqual({ 'solo5-spt': peer });
    const boot = report.scenarios[0];
    expect(boot?.variants.find((v) => v.name === 'solo5-spt hello')).toEqual({
      name: 'solo5-spt hello',
      status: 'ok',
    });
    expect(boot?.samples.filter((s) => s.variant === 'solo5-spt hello')).toHaveLength(1);
  });

  it('Ctrl-C during density kills every instance it started and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [NABLA, 'bench', '--only', 'density', '--quick', '--out', join(scratch.dir, 'int')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    // Wait until instances are up, then note every process the run has started.
    while (!stderr.includes('10 ready')) await new Promise((r) => setTimeout(r, 50));
    const started = processTree(child.pid as number, parentMap()).slice(1);
    expect(started.length).toBeGreaterThanOrEqual(10);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(
      'nabla bench: interrupted by SIGINT; every process it started was killed',
    );
    const running = started.filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        return stat[stat.lastIndexOf(')') + 2] !== 'Z'; // a zombie is dead, only not reaped
      } catch {
        return false;
      }
    });
    expect(running).toEqual([]);
  });
});
