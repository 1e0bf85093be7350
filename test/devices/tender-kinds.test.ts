// tender-kinds.test.ts: in the tender a device kind is one module (tenders/spt/device_*.c) and one line in device_list.c.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepare } from '../../src/api.js';
import { example, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const SPT = join(ROOT, 'tenders/spt');
const FIXTURES = join(ROOT, 'test/devices/tender-kind');

/** Code that names a kind: its type constant or name, its manifest union member, its plan fields. */
const NAMES_A_KIND =
  /MFT_DEV_|BLOCK_BASIC|NET_BASIC|block_basic|net_basic|(->|\.)(capacity|block_size|mtu|mac)\b|TUNGETIFF/;

/** The source without its comments: a comment may give a kind as an example. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/**
 * Builds plan_check (plan_read.c and what it calls, as the fuzz harness links it) with the
 * driver in FIXTURES and the given device list; returns the program. tenders/spt is not an
 * include directory: its limits.h would shadow the system's, so the files outside it name
 * its headers by path.
 */
function buildPlanCheck(name: string, list: string, extra: string[] = []): string {
  const out = join(scratch.dir, name);
  execFileSync('cc', [
    ...['-std=gnu11', '-Wall', '-Wextra', '-Werror', '-o', out],
    ...['-I', join(ROOT, 'tenders/include'), '-I', join(ROOT, 'tenders/common')],
    join(FIXTURES, 'plan_check_main.c'),
    ...['plan_read.c', 'device_block.c', 'device_net.c'].map((f) => join(SPT, f)),
    list,
    ...extra,
    ...['io.c', 'mft_check.c', 'regular_file.c'].map((f) => join(ROOT, 'tenders/common', f)),
  ]);
  return out;
}

/** A real plan (prepare() for the blk example with one disk), as spawnTender would number it. */
function blockPlan(): Buffer {
  const prepared = prepare({
    kernel: example('blk'),
    block: [{ name: 'storage', path: scratch.disk('disk.img', 1 << 20) }],
  });
  try {
    return prepared.encodePlan({ elfFd: 4, deviceFds: [5] });
  } finally {
    prepared.release();
  }
}

/** The plan with its one device's type and kind fields replaced (offsets: nabla_plan.h). */
function withDevice(
  plan: Buffer,
  device: { type: number; capacity?: bigint; blockSize?: number },
): string {
  const copy = Buffer.from(plan);
  const at = copy.readUInt32LE(48); // devices_offset
  copy.writeUInt32LE(device.type, at + 4);
  copy.writeBigUInt64LE(device.capacity ?? 0n, at + 16);
  copy.writeUInt16LE(device.blockSize ?? 0, at + 24);
  const path = join(scratch.dir, `plan-${device.type}-${device.capacity ?? 0n}`);
  writeFileSync(path, copy);
  return path;
}

const run = (program: string, planFile: string) =>
  execFileSync(program, [planFile], { encoding: 'utf8' });

describe('device kinds in the tender', () => {
  it('outside device_*.c, no file of the tender names a device kind in code', () => {
    const generic = readdirSync(SPT).filter((f) => /\.[ch]$/.test(f) && !/^device_.*\.c$/.test(f));
    expect(generic).toContain('plan_read.c');
    const naming = generic.filter((f) =>
      NAMES_A_KIND.test(code(readFileSync(join(SPT, f), 'utf8'))),
    );
    expect(naming).toEqual([]);
  });
});

describe('a device kind in the tender: plan_check with and without a third one', () => {
  let plan: Buffer;
  let plain: string;
  let withExtra: string;
  beforeAll(() => {
    plan = blockPlan();
    plain = buildPlanCheck('plan-check', join(SPT, 'device_list.c'));
    // A third kind: its own file, and in the list its declaration and its entry.
    const list = readFileSync(join(SPT, 'device_list.c'), 'utf8');
    const declaration = 'extern const struct device_kind device_net;\n';
    const entry = '    &device_net,\n';
    expect(list).toContain(declaration);
    expect(list).toContain(entry);
    const copy = join(scratch.dir, 'device_list.c');
    writeFileSync(
      copy,
      list
        .replace('#include "device.h"', `#include "${join(SPT, 'device.h')}"`)
        .replace(declaration, `${declaration}extern const struct device_kind device_extra;\n`)
        .replace(entry, `${entry}    &device_extra,\n`),
    );
    withExtra = buildPlanCheck('plan-check-extra', copy, [join(FIXTURES, 'device_extra.c')]);
  }, 60_000);

  it('the tender as built: a block plan passes, an unknown type is refused naming the kinds', () => {
    const block = withDevice(plan, { type: 1, capacity: 1n << 20n, blockSize: 512 });
    expect(run(plain, block)).toBe('accepted: 1 devices\n');
    expect(run(plain, withDevice(plan, { type: 3 }))).toBe(
      'refused: invalid launch plan: device 0: type 3 is neither BLOCK_BASIC (1) nor NET_BASIC (2)\n',
    );
  });

  it('a throw-away kind in the list: its plans pass its own check, and nothing else changed', () => {
    expect(run(withExtra, withDevice(plan, { type: 3 }))).toBe('accepted: 1 devices\n');
    expect(run(withExtra, withDevice(plan, { type: 3, capacity: 4096n }))).toBe(
      'refused: invalid launch plan: device 0: an extra device with fields set\n',
    );
    // The kinds that were there keep their checks.
    const block = withDevice(plan, { type: 1, capacity: 1n << 20n, blockSize: 512 });
    expect(run(withExtra, block)).toBe('accepted: 1 devices\n');
    expect(run(withExtra, withDevice(plan, { type: 2, capacity: 4096n }))).toBe(
      'refused: invalid launch plan: device 0: a net device with block fields set\n',
    );
    // Three kinds listed. The throw-away kind has no name in the manifest type enum
    // (mft_type_name, common/mft_check.c), where a real kind adds one next to its MFT_DEV_ value.
    expect(run(withExtra, withDevice(plan, { type: 4 }))).toBe(
      'refused: invalid launch plan: device 0: type 4 is none of BLOCK_BASIC (1), NET_BASIC (2), UNKNOWN (3)\n',
    );
  });
});
