// run-syntax.test.ts: nabla-run's options are described once: the usage, the parser and the formatter agree on each.
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../src/api.js';
import { parseSptArgs } from '../src/cli/spt-args.js';
import { usage } from '../src/cli/usage.js';
import {
  nablaRunOptionNames,
  nablaRunOptions,
  optionLines,
  runOptionWords,
  synopsis,
} from '../src/run-syntax.js';

/** Every option set, each device kind with every field it has. */
const EVERYTHING: RunOptions = {
  kernel: Buffer.from('app.nabla'),
  args: [Buffer.from('a'), Buffer.from('--mem=1')],
  memMiB: 64,
  block: [
    { name: 'storage', path: Buffer.from('/tmp/d.img'), sectorSize: 4096, readOnly: true },
    { name: 'other', path: Buffer.from([0x64, 0xff]) },
  ],
  net: [
    { name: 'service', iface: 'tap0', mac: '02:00:00:00:00:01' },
    { name: 'second', fd: 7 },
  ],
  xExecHeap: true,
  user: 'daemon:adm',
  timeoutMs: 1500,
  core: true,
  verbose: true,
};

describe("nabla-run's options, described once", () => {
  it('lists them in the order of the usage, device kinds after --mem', () => {
    expect(nablaRunOptionNames()).toEqual([
      '--mem',
      '--block',
      '--block-sector-size',
      '--block-mode',
      '--net',
      '--net-mac',
      '--x-exec-heap',
      '--help',
      '--version',
      '--user',
      '--timeout',
      '--core',
      '--verbose',
    ]);
  });

  it('writes RunOptions as words that parse back into the same RunOptions', () => {
    const words = runOptionWords(EVERYTHING);
    const parsed = parseSptArgs([...words, 'app.nabla', 'a', '--mem=1']);
    expect(parsed).toEqual({ kind: 'run', options: EVERYTHING });
  });

  it("writes the words the bench wrote by hand (nabla-run's and the hosted build's)", () => {
    expect(
      runOptionWords({
        kernel: 'k',
        memMiB: 8,
        block: [{ name: 'storage', path: '/s/disk.img', sectorSize: 512 }],
      }),
    ).toEqual(['--mem=8', '--block:storage=/s/disk.img', '--block-sector-size:storage=512']);
    expect(
      runOptionWords({ kernel: 'k', memMiB: 2, net: [{ name: 'service', iface: 'tap0' }] }),
    ).toEqual(['--mem=2', '--net:service=tap0']);
    expect(runOptionWords({ kernel: 'k' })).toEqual([]);
  });

  it('puts given device words where the devices go (the hosted run: descriptors)', () => {
    expect(runOptionWords({ kernel: 'k', memMiB: 512, xExecHeap: true }, ['--block:s=@3'])).toEqual(
      ['--mem=512', '--block:s=@3', '--x-exec-heap'],
    );
  });

  it('gives the usage every form of every option, and the audit a synopsis of each', () => {
    const text = usage('nabla-run');
    for (const option of nablaRunOptions())
      for (const form of option.forms) expect(text).toContain(`\n  ${form.syntax} `);
    expect(optionLines('nabla-run', 'x')).toContain('"x: guest timed out after SECONDS s"');
    expect(
      nablaRunOptions()
        .filter((o) => o.group === 'solo5-spt' && o.takes !== 'action')
        .map(synopsis)
        .join(' '),
    ).toBe(
      '--mem=MB --block:NAME=PATH --block-sector-size:NAME=N --net:NAME=IFACE|@FD --net-mac:NAME=MAC --x-exec-heap',
    );
  });
});
