// orchestrator-kinds.test.ts: in the orchestrator a device kind is one module (src/devices/<kind>.ts) and one entry in registry.ts; a throw-away kind goes the whole way.
import { fstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepare, type RunOptions, run } from '../../src/api.js';
import { type AuditOptions, audit } from '../../src/audit/audit.js';
import { hostedArgs } from '../../src/audit/hosted.js';
import { formatReport } from '../../src/audit/output.js';
import { parseSptArgs } from '../../src/cli/spt-args.js';
import { didYouMean } from '../../src/cli/suggest.js';
import { usage } from '../../src/cli/usage.js';
import { deviceKinds, registerDeviceKind } from '../../src/devices/registry.js';
import { NablaError } from '../../src/errors.js';
import { PLAN_DEVICE } from '../../src/plan/format.js';
import { deviceRules } from '../../src/policy/table.js';
import { nablaRunOptionNames, runOptionWords } from '../../src/run-syntax.js';
import { example, ROOT } from '../helpers/paths.js';
import { BLOCK, scratch } from './scratch-kind.js';

/**
 * Code that names a device kind: the manifest types, a kind's key or RunOptions field, its
 * options, its module's names for its requests and devices, and the fields only some kinds have.
 */
const NAMES_A_KIND = new RegExp(
  [
    'BLOCK_BASIC|NET_BASIC|MFT_DEV_[A-Z]',
    // (PLAN_NS.net is the network namespace.)
    "'(block|net)'|(?<!_NS)\\.(block|net)\\b",
    '[\'"`]--(block|net)|block-sector-size|net-mac',
    '\\b(Attached|attach)(Block|Net)\\b|\\b(Block|Net)(Options|Request)\\b',
    '\\b(sectorSize|blockSize|capacity|mtu|mac|iface)\\b',
  ].join('|'),
);

/** The files that may, and why. */
const MAY_NAME_A_KIND = new Map([
  ['src/devices/block.ts', 'the BLOCK_BASIC kind'],
  ['src/devices/net.ts', 'the NET_BASIC kind'],
  ['src/devices/registry.ts', 'the list of kinds'],
  ['src/elf/abi.ts', 'the ABI mirror: the manifest types and the manifest entry union'],
  ['src/plan/format.ts', "the plan's layout: struct nabla_plan_device's fields"],
  ['src/plan/encode.ts', "the plan's writer: struct nabla_plan_device's fields"],
  ['src/audit/report.ts', "the report's schema: a device entry's fields"],
  ['src/fsimage/build.ts', 'an image for a block device: padded to its sector size'],
  ['src/cli/commands/fs.ts', "nabla fs build's --sector-size, the block device's"],
  ['src/toolchain/tcpip.ts', "the SDK's TCP/IP stack: its sources in sdk/net"],
  ['src/cli/commands/up.ts', "nabla up's --block:/--net: words, nabla-run's syntax for the daemon"],
  ['src/daemon/run-options.ts', "an instance's block and net devices as RunOptions"],
  ['src/daemon/summon/subnet.ts', "the tap pool's addresses: a /30 and a MAC per tap"],
  ['src/daemon/summon/tap.ts', 'making the tap a summoned guest reaches its clients through'],
  ['src/audit/peers.ts', "runsc's own --network=none (gVisor's flag, not a device kind)"],
  ['src/daemon/guest-figures.ts', "an instance's stats: the counters of its net devices' taps"],
  ['src/daemon/summon/wire.ts', "a summoned guest's network device and its --ipv4 words"],
  ['src/oci/bundle.ts', 'nabla-oci: org.nabla.block.NAME annotations become block devices'],
  ['src/oci/create.ts', "nabla-oci: the pod's tap becomes the guest's network device"],
  ['src/oci/kernel-nets.ts', "nabla-oci: the network device a pod's tap is given to"],
  ['src/oci/pod-network.ts', "nabla-oci: the pod's interface (its MAC and MTU) and the tap"],
  ['src/oci/state.ts', "nabla-oci: the pod network's tap and interface, which delete removes"],
]);

/**
 * The source without its comments: a comment may give a kind as an example. Line comments go
 * first: one may hold a `/*` (`data/*.json`) that would otherwise start a block comment.
 */
const code = (text: string) => text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');

/** The bench's scenarios are experiments with particular devices: data, not code paths. */
const isBench = (file: string) => file.startsWith('src/bench/');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`);
}

describe('device kinds in the orchestrator', () => {
  it('outside the kinds, the registry and the contracts, no file of src/ names a device kind in code', () => {
    const naming = sources('src').filter(
      (f) => !isBench(f) && NAMES_A_KIND.test(code(readFileSync(join(ROOT, f), 'utf8'))),
    );
    expect(naming.sort()).toEqual(
      [...MAY_NAME_A_KIND.keys()].filter((f) => naming.includes(f)).sort(),
    );
    // The check finds what it looks for: each kind's module names it.
    expect(naming).toContain('src/devices/block.ts');
    expect(naming).toContain('src/devices/net.ts');
  });

  it('lists the built-in kinds, block then net', () => {
    expect(deviceKinds().map((k) => [k.key, k.type])).toEqual([
      ['block', 'BLOCK_BASIC'],
      ['net', 'NET_BASIC'],
    ]);
  });
});

describe('a throw-away kind, registered from outside src/ (test/devices/scratch-kind.ts)', () => {
  const blk = example('blk');
  const BLOCKS = 16;
  const CAPACITY = BLOCKS * BLOCK;
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerDeviceKind(scratch);
  });
  afterAll(() => unregister());

  it('is refused a second time, and so is an option another kind has', () => {
    expect(() => registerDeviceKind(scratch)).toThrow("device kind 'scratch' exists");
    const clash = { ...scratch, key: 'other', options: [{ name: 'net-mac', forms: [] }] };
    expect(() => registerDeviceKind(clash)).toThrow('option --net-mac belongs to another kind');
  });

  it("takes nabla-run's syntax: parser, usage, suggestions, and the words back", () => {
    const parsed = parseSptArgs(['--mem=8', `--scratch:storage=${BLOCKS}`, blk, 'x']);
    const options = {
      kernel: Buffer.from(blk),
      args: [Buffer.from('x')],
      memMiB: 8,
      scratch: [{ name: 'storage', blocks: BLOCKS }],
    };
    expect(parsed).toEqual({ kind: 'run', options });
    expect(runOptionWords(options)).toEqual(['--mem=8', `--scratch:storage=${BLOCKS}`]);
    expect(() => parseSptArgs(['--scratch:storage=0', blk])).toThrow(
      "Malformed argument to --scratch: '0' (1 to 2097152 blocks)",
    );
    const text = usage('nabla-run');
    expect(text).toContain(
      '\n  --scratch:NAME=BLOCKS            a disk of BLOCKS blocks in memory as NAME\n',
    );
    expect(text).toContain('\n  nabla-run --scratch:storage=64 app.nabla\n');
    expect(nablaRunOptionNames()).toContain('--scratch');
    expect(didYouMean('--scrach', nablaRunOptionNames())).toBe(' (did you mean --scratch?)');
  });

  it('checks its RunOptions field in the API words', () => {
    const bad = () =>
      prepare({ kernel: blk, scratch: [{ name: 'storage', blocks: 0 }] } as RunOptions);
    expect(bad).toThrow(NablaError);
    expect(bad).toThrow(
      'Expected a number of blocks from 1 to 2097152 for scratch[0].blocks but received 0',
    );
    expect(() => prepare({ kernel: blk, scratc: [] } as RunOptions)).toThrow(
      /^Expected one of kernel, args, memMiB, block, net, scratch, xExecHeap, .* for a key of RunOptions/,
    );
  });

  it('attaches, adds its rows to the table and the compiled filter, and fills the plan entry', () => {
    const prepared = prepare({
      kernel: blk,
      scratch: [{ name: 'storage', blocks: BLOCKS }],
    } as RunOptions);
    try {
      const [device] = prepared.devices;
      expect(device).toMatchObject({ kind: scratch, type: 'BLOCK_BASIC', index: 1, hostFd: 5 });
      expect(fstatSync(device?.fd ?? -1).size).toBe(CAPACITY);

      expect(deviceRules().map((r) => r.kind)).toEqual(['block', 'net', 'scratch']);
      const own = prepared.policy.filter((r) => r.device === 'storage');
      expect(own.map((r) => [r.syscall, r.reason, r.args.map((a) => a.value)])).toEqual([
        ['pread64', 'scratch: solo5_block_read, in memory', [5n, 512n, BigInt(CAPACITY - BLOCK)]],
        ['pwrite64', 'scratch: solo5_block_write, in memory', [5n, 512n, BigInt(CAPACITY - BLOCK)]],
      ]);

      const plan = prepared.encodePlan({ elfFd: 4, deviceFds: [6] });
      const at = plan.readUInt32LE(48); // devices_offset (nabla_plan.h)
      expect(plan.readUInt32LE(at + PLAN_DEVICE.type)).toBe(1); // MFT_DEV_BLOCK_BASIC
      expect(plan.readInt32LE(at + PLAN_DEVICE.sourceFd)).toBe(6);
      expect(plan.readBigUInt64LE(at + PLAN_DEVICE.capacity)).toBe(BigInt(CAPACITY));
      expect(plan.readUInt16LE(at + PLAN_DEVICE.blockSize)).toBe(BLOCK);
      expect(plan.readUInt16LE(at + PLAN_DEVICE.mtu)).toBe(0);

      expect(hostedArgs(prepared)).toEqual([
        '--mem=512',
        '--block:storage=@3',
        `--block-sector-size:storage=${BLOCK}`,
        '--',
      ]);
    } finally {
      prepared.release();
    }
    // It closed the memfd this kind opened.
    expect(() => fstatSync(prepared.devices[0]?.fd ?? -1)).toThrow(/EBADF/);
  });

  it('runs the blk example on it under the real tender and its own rows in the filter', async () => {
    const guest = run({
      kernel: blk,
      scratch: [{ name: 'storage', blocks: BLOCKS }],
      args: ['--solo5:quiet'],
    } as RunOptions);
    const out = await guest.output();
    expect(out.stdout).toContain(`blk: ${BLOCKS} blocks of ${BLOCK} bytes verified\n`);
    expect(out.status).toBe(0);
    expect(guest.policy.filter((r) => r.reason.startsWith('scratch: '))).toHaveLength(2);
  });

  it('is in the audit: the filter proven against its rows, its attachment and reasons in the text', async () => {
    const report = await audit({
      kernel: blk,
      scratch: [{ name: 'storage', blocks: BLOCKS }],
      observe: false,
      footprint: false,
      hosted: null,
    } as AuditOptions);
    expect(report.verification.passed).toBe(true);
    expect(report.unikernel.devices).toEqual([
      {
        index: 1,
        name: 'storage',
        type: 'BLOCK_BASIC',
        attachment: `memory, ${BLOCKS} blocks`,
        guestFd: 5,
        blockSize: BLOCK,
        capacity: String(CAPACITY),
        readOnly: null,
        mtu: null,
      },
    ]);
    const reasons = report.allowlist.flatMap((s) => s.alternatives.map((a) => a.reason));
    expect(reasons).toContain('scratch: solo5_block_read, in memory');
    const md = await formatReport(report, 'md');
    expect(md).toContain(`\`memory, ${BLOCKS} blocks\``);
    expect(md).toContain('scratch: solo5_block_write, in memory');
    // A report read back has only the manifest type: its geometry cell is that type's first
    // kind's (block's), not this kind's own text.
    expect(md).toContain(`${CAPACITY} bytes, block ${BLOCK}`);
    expect(md).not.toContain('bytes in memory');
  });
});
