// non-regular.test.ts: a KERNEL or --block path that is not a regular file is refused at once, unopened, in TS and C.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, copyFileSync, mkdirSync, openSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepare } from '../../src/api.js';
import { planMemfd } from '../../src/launch/exec.js';
import { tenderPath } from '../../src/launch/tender-path.js';
import { example, NABLA, NABLA_RUN, ROOT, tool } from '../helpers/paths.js';
import { runWithBytes } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const fifo = join(scratch.dir, 'fifo');
const directory = join(scratch.dir, 'dir');
const socket = join(scratch.dir, 'socket');
let server: Server;

beforeAll(async () => {
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  mkdirSync(directory);
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Each kind of file that is not a regular one, and how the one line names it. */
const KINDS: Array<[string, () => string]> = [
  ['a FIFO', () => fifo],
  ['a directory', () => directory],
  ['a character device', () => '/dev/null'],
  ['a socket', () => socket],
];

/** A hang (a FIFO opened for reading waits for a writer) fails the test instead of stalling it. */
const QUICK_MS = 10_000;

function command(program: string, args: readonly string[]) {
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: QUICK_MS });
  if (r.error) throw r.error; // ETIMEDOUT: it hung
  return r;
}

const blk = example('blk');
/** [who, argv for the path, expected line for the path and its kind] */
const COMMANDS: Array<[string, (p: string) => string[], (p: string, kind: string) => string]> = [
  [
    'nabla-run KERNEL',
    (p) => [process.execPath, NABLA_RUN, p],
    (p, k) => `nabla-run: ${p}: Could not open: Not a regular file (${k})`,
  ],
  [
    'nabla run KERNEL',
    (p) => [process.execPath, NABLA, 'run', p],
    (p, k) => `nabla run: ${p}: Could not open: Not a regular file (${k})`,
  ],
  [
    'nabla inspect KERNEL',
    (p) => [process.execPath, NABLA, 'inspect', p],
    (p, k) => `nabla inspect: ${p}: Could not open: Not a regular file (${k})`,
  ],
  [
    'nabla audit --no-observe KERNEL',
    (p) => [process.execPath, NABLA, 'audit', '--no-observe', p],
    (p, k) => `nabla audit: ${p}: Could not open: Not a regular file (${k})`,
  ],
  [
    'nabla-run --block:storage=PATH',
    (p) => [process.execPath, NABLA_RUN, `--block:storage=${p}`, blk],
    (p, k) => `nabla-run: Could not open block device: ${p}: Not a regular file (${k})`,
  ],
  [
    'nabla audit --block:storage=PATH',
    (p) => [process.execPath, NABLA, 'audit', '--no-observe', `--block:storage=${p}`, blk],
    (p, k) => `nabla audit: Could not open block device: ${p}: Not a regular file (${k})`,
  ],
  [
    'elf-check KERNEL (the C checker)',
    (p) => [tool('elf-check'), p],
    (p, k) => `elf-check: ${p}: Could not open: Not a regular file (${k})`,
  ],
];

const CASES = COMMANDS.flatMap(([who, argv, line]) =>
  KINDS.map(([kind, path]) => [who, kind, argv, line, path] as const),
);

describe('files that are not regular spt', () => {
  it.each(CASES)('%s refuses %s with status 1 and one line', (_who, kind, argv, line, path) => {
    const [program = '', ...args] = argv(path());
    const r = command(program, args);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line(path(), kind)}\n`);
    expect(r.status).toBe(1);
  });

  it('run() and prepare() refuse them with NablaError', () => {
    // In a child process: a hang there (opening a FIFO) fails this test instead of stalling it.
    const script = `
      import { NablaError, prepare, run } from ${JSON.stringify(`${ROOT}dist/index.js`)};
      const [kernel, path] = JSON.parse(process.argv[1]);
      const lines = [];
      for (const call of [
        () => prepare({ kernel: path }),
        () => run({ kernel: path }),
        () => run({ kernel, block: [{ name: 'storage', path }] }),
      ]) {
        try { call(); lines.push('no error'); }
        catch (e) { lines.push((e instanceof NablaError ? 'NablaError: ' : 'other: ') + e.message); }
      }
      process.stdout.write(lines.join('\\n'));
    `;
    for (const [kind, path] of KINDS) {
      const r = command(process.execPath, [
        '--input-type=module',
        '-e',
        script,
        JSON.stringify([blk, path()]),
      ]);
      expect(r.stdout.split('\n')).toEqual([
        `NablaError: ${path()}: Could not open: Not a regular file (${kind})`,
        `NablaError: ${path()}: Could not open: Not a regular file (${kind})`,
        `NablaError: Could not open block device: ${path()}: Not a regular file (${kind})`,
      ]);
    }
  });
});

/**
 * The tender checks the descriptors a plan hands it too: the plan may come from elsewhere. A
 * plan for a real file, with a FIFO in its place (opened O_RDWR | O_NONBLOCK: no wait).
 */
async function tenderWith(
  kernel: Buffer | string,
  swap: 'elf' | 'block',
): Promise<{ status: number | null; stderr: Buffer }> {
  const disk = scratch.disk('tender.img', 4096);
  const prepared =
    swap === 'elf'
      ? prepare({ kernel, memMiB: 16 })
      : prepare({ kernel, memMiB: 16, block: [{ name: 'storage', path: disk }] });
  const planFd = planMemfd(prepared.encodePlan({ elfFd: 4, deviceFds: swap === 'elf' ? [] : [5] }));
  const fifoFd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  try {
    const elfFd = swap === 'elf' ? fifoFd : prepared.unikernel.fd;
    const devices = swap === 'elf' ? [] : [fifoFd];
    const child = spawn(tenderPath(), ['3'], {
      argv0: 'nabla-run',
      env: {},
      stdio: ['ignore', 'pipe', 'pipe', planFd, elfFd, ...devices],
      timeout: QUICK_MS,
    });
    const chunks: Buffer[] = [];
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const status = await new Promise<number | null>((resolve) =>
      child.once('close', (code) => resolve(code)),
    );
    return { status, stderr: Buffer.concat(chunks) };
  } finally {
    closeSync(fifoFd);
    closeSync(planFd);
    prepared.release();
  }
}

describe('the tender refuses descriptors that are not regular files spt', () => {
  it('a FIFO as the ELF: the orchestrator’s line, the KERNEL path as its bytes', async () => {
    // A path that is not UTF-8: the tender prints its bytes, as nabla-run does (bytes.test.ts).
    const kernel = Buffer.concat([Buffer.from(join(scratch.dir, 'k-')), Buffer.of(0xff, 0xfe)]);
    copyFileSync(example('hello'), kernel);
    const r = await tenderWith(kernel, 'elf');
    // The path quoted as every message quotes it: bytes that are not UTF-8 as \xHH.
    expect(r.stderr.toString()).toBe(
      `nabla-run: ${join(scratch.dir, 'k-')}\\xff\\xfe: Could not open: Not a regular file (a FIFO)\n`,
    );
    expect(r.status).toBe(1);
    // nabla-run, handed a FIFO at a path with the same bytes, says the very same.
    const named = Buffer.concat([Buffer.from(join(scratch.dir, 'f-')), Buffer.of(0xff, 0xfe)]);
    expect(runWithBytes('mkfifo', [named]).status).toBe(0);
    const cli = runWithBytes(process.execPath, [NABLA_RUN, named]);
    expect(cli.stderr.toString()).toBe(
      `nabla-run: ${join(scratch.dir, 'f-')}\\xff\\xfe: Could not open: Not a regular file (a FIFO)\n`,
    );
  });

  it('a FIFO as a block device', async () => {
    const r = await tenderWith(blk, 'block');
    expect(r.stderr.toString()).toBe(
      'nabla-run: invalid launch plan: device 0: source_fd 5: Not a regular file (a FIFO)\n',
    );
    expect(r.status).toBe(1);
  });
});
