// bytes.test.ts: KERNEL, --block paths and guest arguments are bytes, passed on as given (not lossy UTF-8 text).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/api.js';
import { example, guest, NABLA } from '../helpers/paths.js';
import { nablaRunBytes, runWithBytes } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/** Two bytes that are not UTF-8, and what Node's lossy decoding makes of them (two U+FFFD). */
const INVALID = Buffer.from([0xff, 0xfe]);
const LOSSY = Buffer.from(INVALID.toString('utf8'));
/** How reports (JSON) write them: escapes U+DC80 + byte (src/bytes.ts), reversible, unlike U+FFFD. */
const ESCAPED = '\udcff\udcfe';
/** How messages quote them: each byte that is not UTF-8 as \xHH (docs/elf-validation.md, "Quoted text"). */
const QUOTED = '\\xff\\xfe';
const inScratch = (name: string, tail: Buffer) =>
  Buffer.concat([Buffer.from(join(scratch.dir, name)), tail]);

// Beside each file named with the invalid bytes lies one named with their lossy decoding, so that
// opening the wrong one shows: another guest (exit1 exits 1) and another disk size.
const kernel = inScratch('kernel-', INVALID);
const lossyKernel = inScratch('kernel-', LOSSY);
const disk = inScratch('disk-', INVALID);
const lossyDisk = inScratch('disk-', LOSSY);
const blk = example('blk');
const cat = (...parts: Array<Buffer | string>) => Buffer.concat(parts.map((p) => Buffer.from(p)));

beforeAll(() => {
  copyFileSync(example('hello'), kernel);
  copyFileSync(guest('exit1'), lossyKernel);
  writeFileSync(disk, Buffer.alloc(8 * 512));
  writeFileSync(lossyDisk, Buffer.alloc(16 * 512));
});

const zeros = (path: Buffer) => readFileSync(path).every((b) => b === 0);

describe('paths and arguments as bytes spt', () => {
  it('nabla-run opens the KERNEL its bytes name, and the guest gets its arguments byte for byte', () => {
    const r = nablaRunBytes(['--mem=32', kernel, Buffer.from([0x61, 0xff, 0x62]), 'ü', '--x']);
    expect(r.stderr.toString()).not.toContain('nabla-run:');
    expect(r.status).toBe(0);
    expect(r.stdout.includes(cat('Hello, world!\n'))).toBe(true);
    expect(r.stdout.includes(cat('Command line: a', Buffer.of(0xff), 'b ü --x\n'))).toBe(true);
  });

  it('nabla-run attaches the --block file its bytes name, read-write', () => {
    const r = nablaRunBytes(['--mem=32', cat('--block:storage=', disk), blk]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('blk: 8 blocks of 512 bytes verified');
    expect(zeros(disk)).toBe(false); // the guest wrote its pattern here
    expect(zeros(lossyDisk)).toBe(true); // and not here
  });

  it('`nabla run` does the same', () => {
    const r = runWithBytes(process.execPath, [NABLA, 'run', '--mem=32', kernel, INVALID]);
    expect(r.status).toBe(0);
    expect(r.stdout.includes(cat('Command line: ', INVALID, '\n'))).toBe(true);
  });

  it('the command-line limit counts bytes: 8191 invalid bytes fit, 8192 do not', () => {
    const fits = nablaRunBytes(['--mem=32', kernel, Buffer.alloc(8191, 0xff)]);
    expect(fits.status).toBe(0);
    expect(fits.stdout.includes(cat('Command line: ', Buffer.alloc(8191, 0xff), '\n'))).toBe(true);
    const over = nablaRunBytes([
      '--mem=32',
      kernel,
      Buffer.alloc(4096, 0xff),
      Buffer.alloc(4095, 0xff),
    ]);
    expect(over.status).toBe(1);
    expect(over.stderr.toString()).toBe(
      'nabla-run: Guest command line too long (max=8191 characters)\n',
    );
  });

  it('a message quoting a path escapes the bytes that are not UTF-8, as the tender does', () => {
    const missing = inScratch('missing-', INVALID);
    const shown = `${join(scratch.dir, 'missing-')}${QUOTED}`;
    const r = nablaRunBytes([missing]);
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe(
      `nabla-run: ${shown}: Could not open: No such file or directory\n`,
    );
    const block = nablaRunBytes([cat('--block:storage=', missing), blk]);
    expect(block.stderr.toString()).toBe(
      `nabla-run: Could not open block device: ${shown}: No such file or directory\n`,
    );
  });

  it('nabla inspect describes the file its bytes name and quotes the path escaped', () => {
    const r = runWithBytes(process.execPath, [NABLA, 'inspect', kernel]);
    expect(r.status).toBe(0);
    const size = readFileSync(kernel).length;
    expect(size).not.toBe(readFileSync(lossyKernel).length);
    const first = cat(`${join(scratch.dir, 'kernel-')}${QUOTED}: Solo5 unikernel, ${size} bytes\n`);
    expect(r.stdout.subarray(0, first.length)).toEqual(first);
    const json = runWithBytes(process.execPath, [NABLA, 'inspect', '--json', kernel]);
    expect(JSON.parse(json.stdout.toString()).file).toBe(join(scratch.dir, `kernel-${ESCAPED}`));
  });

  it('nabla audit prepares the KERNEL and --block file its bytes name', () => {
    const r = runWithBytes(process.execPath, [
      NABLA,
      'audit',
      '--no-observe',
      '--no-footprint',
      '--format=json',
      cat('--block:storage=', disk),
      blk,
      INVALID,
    ]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    expect(report.unikernel.args).toEqual([ESCAPED]);
    expect(report.unikernel.devices[0]).toMatchObject({
      attachment: join(scratch.dir, `disk-${ESCAPED}`),
      capacity: String(8 * 512),
    });
  });

  it('run() takes Buffer and Uint8Array paths and arguments', async () => {
    const handle = run({
      kernel,
      args: [Buffer.from([0xff]), new Uint8Array([0xfe, 0x41]), 'ü'],
      memMiB: 32,
    });
    const chunks: Buffer[] = [];
    handle.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const out = await handle.output();
    expect(out.status).toBe(0);
    expect(
      Buffer.concat(chunks).includes(
        cat('Command line: ', Buffer.of(0xff), ' ', Buffer.of(0xfe), 'A ü\n'),
      ),
    ).toBe(true);

    writeFileSync(disk, Buffer.alloc(8 * 512));
    const withDisk = await run({
      kernel: blk,
      memMiB: 32,
      block: [{ name: 'storage', path: new Uint8Array(disk) }],
    }).output();
    expect(withDisk.stdout).toContain('blk: 8 blocks of 512 bytes verified');
    expect(zeros(disk)).toBe(false);
    expect(zeros(lossyDisk)).toBe(true);
  });
});
