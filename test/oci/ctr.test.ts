// ctr.test.ts: containerd (Debian's) runs unikernel images with nabla-oci through its stock runc v2 shim: `ctr run` end to end.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Containerd, startContainerd } from '../helpers/containerd.js';
import { until } from '../helpers/oci.js';
import { BUILT, example, guest, NABLA } from '../helpers/paths.js';

let ctd: Containerd;
const IMAGES = {
  hello: example('hello'),
  exit1: guest('exit1'),
  idle: join(BUILT.bench, 'idle.nabla'),
};
const ref = (name: string) => `docker.io/library/${name}:latest`;

beforeAll(async () => {
  ctd = await startContainerd();
  for (const [name, kernel] of Object.entries(IMAGES)) {
    const tar = join(ctd.dir, `${name}.tar`);
    const built = spawnSync(process.execPath, [NABLA, 'image', 'build', kernel, '-o', tar], {
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    const imported = ctd.ctr(['images', 'import', tar]);
    expect(imported.status, imported.stderr).toBe(0);
  }
});
afterAll(async () => {
  await ctd?.stop();
});

/** `ctr run [OPTIONS] IMAGE ID ARGS` with nabla-oci as the runtime. */
const run = (options: string[], image: string, id: string, args: string[]) =>
  ctd.ctr(['run', ...options, ...ctd.runArgs(), ref(image), id, ...args]);
const taskStatus = (id: string) =>
  new RegExp(`^${id}\\s+\\d+\\s+(\\w+)`, 'm').exec(ctd.ctr(['task', 'ls']).stdout)?.[1];

describe('ctr run with nabla-oci', () => {
  it('shows the guest console, passes the arguments after the unikernel, and exits with its status', () => {
    const hello = run(['--rm'], 'hello', 'hello1', ['/hello.nabla', 'from', 'containerd']);
    expect(hello.status, hello.stderr).toBe(0);
    expect(hello.stdout).toContain('Hello, world!');
    expect(hello.stdout).toContain('Command line: from containerd');
    const exit1 = run(['--rm'], 'exit1', 'exit1', ['/exit1.nabla']);
    expect(exit1.stdout).toContain('exit1: returning 1');
    expect(exit1.status).toBe(1); // the guest's SOLO5_EXIT_FAILURE is the container's status
  });

  it("shows the runtime's own message for an image whose entrypoint is not a unikernel", () => {
    const bad = run(['--rm'], 'hello', 'bad1', ['/bin/sh', '-c', 'echo hi']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(
      'OCI runtime create failed: process.args[0] "/bin/sh" is not a unikernel: nabla-oci runs a .nabla or .spt file of the image (its entrypoint)',
    );
    expect(ctd.ctr(['containers', 'ls', '-q']).stdout).not.toContain('bad1');
  });

  it('runs a detached guest sandboxed, pauses and resumes it, kills and deletes it', async () => {
    const started = run(['-d'], 'idle', 'idle1', ['/idle.nabla']);
    expect(started.status, started.stderr).toBe(0);
    expect(await until(() => taskStatus('idle1') === 'RUNNING')).toBe(true);
    const pid = Number(/^idle1\s+(\d+)/m.exec(ctd.ctr(['task', 'ls']).stdout)?.[1]);
    // The shim is its parent (it reaps it: the exit status is the container's).
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    expect(readFileSync(`/proc/${ppid}/cmdline`, 'utf8')).toContain('containerd-shim-runc-v2');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Seccomp:\s+2$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    // Only the planned descriptors: the shim's stdio pipes, the epoll and timer descriptors.
    const fds = readdirSync(`/proc/${pid}/fd`).map(
      (fd) => `${fd} ${readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/:\[\d+\]$/, ':')}`,
    );
    expect(fds).toEqual([
      '0 pipe:',
      '1 pipe:',
      '2 pipe:',
      '3 anon_inode:[eventpoll]',
      '4 anon_inode:[timerfd]',
    ]);
    expect(ctd.ctr(['task', 'ps', 'idle1']).stdout).toContain(String(pid));

    expect(ctd.ctr(['task', 'pause', 'idle1']).status).toBe(0);
    expect(taskStatus('idle1')).toBe('PAUSED');
    expect(ctd.ctr(['task', 'resume', 'idle1']).status).toBe(0);
    expect(taskStatus('idle1')).toBe('RUNNING');

    expect(ctd.ctr(['task', 'kill', 'idle1']).status).toBe(0);
    expect(await until(() => taskStatus('idle1') === 'STOPPED')).toBe(true);
    expect(ctd.ctr(['task', 'rm', 'idle1']).status).toBe(0);
    expect(ctd.ctr(['containers', 'rm', 'idle1']).status).toBe(0);
    // delete removed the container's record; the shim's cleanup `delete --force` found nothing.
    expect(await until(() => readdirSync(join(ctd.ctrRoot, 'default')).length === 0)).toBe(true);
  });

  it('ends the guest when its shim dies (PDEATHSIG)', async () => {
    expect(run(['-d'], 'idle', 'orphan1', ['/idle.nabla']).status).toBe(0);
    expect(await until(() => taskStatus('orphan1') === 'RUNNING')).toBe(true);
    const pid = Number(/^orphan1\s+(\d+)/m.exec(ctd.ctr(['task', 'ls']).stdout)?.[1]);
    const shim = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    expect(readFileSync(`/proc/${shim}/cmdline`, 'utf8')).toContain('containerd-shim-runc-v2');
    process.kill(shim, 'SIGKILL');
    expect(await until(() => !existsSync(`/proc/${pid}`))).toBe(true);
    // containerd notices the shim's end; the container can then be removed.
    await until(
      () =>
        ctd.ctr(['task', 'rm', '-f', 'orphan1']).status === 0 ||
        taskStatus('orphan1') === undefined,
    );
    expect(await until(() => ctd.ctr(['containers', 'rm', 'orphan1']).status === 0)).toBe(true);
  });

  it('gives a tty through the console socket (ctr run -t)', () => {
    // ctr -t wants a terminal of its own: script(1) gives it one.
    const command = [
      'ctr',
      '-a',
      ctd.socket,
      'run',
      '--rm',
      '-t',
      ...ctd.runArgs(),
      ref('hello'),
      'tty1',
      '/hello.nabla',
      'on',
      'a',
      'tty',
    ];
    const r = spawnSync('script', ['-qec', command.join(' '), '/dev/null'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // The pty's line discipline turns the guest's "\n" into "\r\n": it went through a terminal.
    expect(r.stdout).toMatch(/Command line: on a tty\r+\n/);
  });

  it("makes the tty the guest's controlling terminal, its group the foreground one (^C reaches it)", async () => {
    const command = [
      'ctr',
      '-a',
      ctd.socket,
      'run',
      '-d',
      '-t',
      ...ctd.runArgs(),
      ref('idle'),
      'tty2',
      '/idle.nabla',
    ];
    const r = spawnSync('script', ['-qec', command.join(' '), '/dev/null'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(await until(() => taskStatus('tty2') === 'RUNNING')).toBe(true);
    const pid = Number(/^tty2\s+(\d+)/m.exec(ctd.ctr(['task', 'ls']).stdout)?.[1]);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name: state ppid pgrp session tty_nr tpgid.
    const [, , pgrp, session, ttyNr, tpgid] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    expect({ pgrp, session, tpgid }).toEqual({ pgrp: pid, session: pid, tpgid: pid });
    expect(ttyNr).not.toBe(0);
    expect(readlinkSync(`/proc/${pid}/fd/1`)).toMatch(/^\/dev\/pts\/\d+$/);
    expect(ctd.ctr(['task', 'kill', '-s', 'SIGKILL', 'tty2']).status).toBe(0);
    expect(await until(() => taskStatus('tty2') === 'STOPPED')).toBe(true);
    expect(ctd.ctr(['task', 'rm', 'tty2']).status).toBe(0);
    expect(ctd.ctr(['containers', 'rm', 'tty2']).status).toBe(0);
  });
});
