// boot.test.ts: real guests under the real tender and seccomp filter, with the statuses a shell sees.
import { describe, expect, it } from 'vitest';
import { run } from '../../src/index.js';
import { buildElf } from '../helpers/elf-builder.js';
import { example, guest } from '../helpers/paths.js';
import { nablaRun } from '../helpers/run-cli.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const disk = scratch.disk;

describe('boot spt', () => {
  it('hello prints its command line and exits 0', () => {
    const r = nablaRun([example('hello'), 'one', 'two  three']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Hello, world!\n');
    expect(r.stdout).toContain('Command line: one two  three\n');
    expect(r.status).toBe(0);
  });

  it('a hand-assembled guest (no SDK) exits with the status it passes to exit_group', () => {
    const path = scratch.file('exit7.nabla', buildElf());
    expect(nablaRun([path]).status).toBe(7);
  });

  it.each([
    ['exit1', 1], // returns 1
    ['abort', 255], // solo5_abort
    ['sysdup', 159], // SIGSYS: dup is not in the table
    ['page0', 139], // SIGSEGV: page 0 is unmapped
    ['wtext', 139], // SIGSEGV: text is R+X
    ['xdata', 139], // SIGSEGV: data is not executable
    ['notls', 139], // SIGSEGV: %fs is zero until the guest sets TLS
    ['tls', 0], // TLS works after solo5_set_tls_base
  ])('%s ends with status %i', (name, status) => {
    const r = nablaRun([guest(name)]);
    expect(r.status).toBe(status);
    if (name === 'abort') expect(r.stdout).toContain('ABORT');
    if (name === 'tls') expect(r.stdout).toContain('tls ok');
  });

  it('the heap is not executable, unless --x-exec-heap', () => {
    expect(nablaRun([guest('xheap')]).status).toBe(139); // SIGSEGV: W^X outside segments
    const r = nablaRun(['--x-exec-heap', guest('xheap')]);
    expect(r.stdout).toContain('xheap: the heap is executable');
    expect(r.status).toBe(0);
  });

  it.each([512, 4096])(
    'blk verifies every block of a 4 MiB file with %i-byte sectors',
    (sector) => {
      const path = disk(`blk-${sector}.img`, 4 << 20);
      const r = nablaRun([
        `--block:storage=${path}`,
        `--block-sector-size:storage=${sector}`,
        example('blk'),
      ]);
      expect(r.stdout).toContain(`blk: ${(4 << 20) / sector} blocks of ${sector} bytes verified`);
      expect(r.status).toBe(0);
    },
  );

  it.each([
    ['ok', 0], // a raw pread64 of one block inside the device is allowed
    ['past', 159], // SIGSYS: one block past the capacity
    ['len', 159], // SIGSYS: two blocks at once
    ['fd', 159], // SIGSYS: pread64 on another descriptor
    ['wpast', 159], // SIGSYS: pwrite64 past the capacity (would grow the file)
  ])('raw block access %s ends with status %i', (mode, status) => {
    const path = disk(`raw-${mode}.img`, 4 << 20);
    const r = nablaRun([`--block:storage=${path}`, guest('blkraw'), mode]);
    expect(r.status).toBe(status);
  });

  it('the API runs a guest as a child and reports its exit and output', async () => {
    const handle = run({ kernel: example('hello'), args: ['via', 'api'], memMiB: 32 });
    expect(handle.pid).toBeGreaterThan(0);
    const out = await handle.output();
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Command line: via api');
  });

  it('the API reports a seccomp kill as SIGSYS', async () => {
    const out = await run({ kernel: guest('sysdup') }).output();
    expect(out.signal).toBe('SIGSYS');
    expect(out.status).toBe(159);
  });
});
