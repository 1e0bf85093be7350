// header.test.ts: the TypeScript mirrors equal the C headers, field by field, as the compiler lays them out.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/elf/abi.js';
import * as engine from '../../src/engine/protocol.js';
import * as plan from '../../src/plan/format.js';
import { tool } from '../helpers/paths.js';

interface Layout {
  structs: Record<
    string,
    { size: number; fields: Record<string, { offset: number; size: number }> }
  >;
  constants: Record<string, number>;
  strings: Record<string, string>;
}
const raw = execFileSync(tool('plan-layout'), { encoding: 'utf8' });
const layout = JSON.parse(raw) as Layout;
const offsets = (name: string) =>
  Object.fromEntries(
    Object.entries(layout.structs[name]?.fields ?? {}).map(([k, v]) => [k, v.offset]),
  );
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

describe('C headers and TypeScript mirrors', () => {
  it('plan header: size and every offset', () => {
    expect(layout.structs.nabla_plan_header?.size).toBe(plan.PLAN_HEADER_SIZE);
    const c = offsets('nabla_plan_header');
    const ts = Object.fromEntries(Object.entries(plan.PLAN_HEADER).map(([k, v]) => [snake(k), v]));
    expect(ts).toEqual(c);
  });

  it('plan device: size and every offset', () => {
    expect(layout.structs.nabla_plan_device?.size).toBe(plan.PLAN_DEVICE_SIZE);
    const ts = Object.fromEntries(Object.entries(plan.PLAN_DEVICE).map(([k, v]) => [snake(k), v]));
    expect(ts).toEqual(offsets('nabla_plan_device'));
  });

  it('plan constants', () => {
    const c = layout.constants;
    expect([plan.PLAN_MAGIC, plan.PLAN_VERSION, plan.PLAN_MAX_SIZE, plan.PLAN_MAX_DEVICES]).toEqual(
      [c.NABLA_PLAN_MAGIC, c.NABLA_PLAN_VERSION, c.NABLA_PLAN_MAX_SIZE, c.NABLA_PLAN_MAX_DEVICES],
    );
    expect([
      plan.PLAN_MAX_BPF_INSNS,
      plan.PLAN_FD_LIMIT,
      plan.PLAN_F_X_EXEC_HEAP,
      plan.PLAN_MAX_PATH_SIZE,
    ]).toEqual([
      c.NABLA_PLAN_MAX_BPF_INSNS,
      c.NABLA_PLAN_FD_LIMIT,
      c.NABLA_PLAN_F_X_EXEC_HEAP,
      c.NABLA_PLAN_MAX_PATH_SIZE,
    ]);
    expect([Number(plan.PLAN_MIN_MEM_SIZE), Number(plan.PLAN_MAX_MEM_SIZE)]).toEqual([
      c.NABLA_PLAN_MIN_MEM_SIZE,
      c.NABLA_PLAN_MAX_MEM_SIZE,
    ]);
    expect(plan.PLAN_MAX_CGROUPS).toBe(c.NABLA_PLAN_MAX_CGROUPS);
  });

  it('engine protocol constants (the LAUNCH descriptors include the cgroups since v2)', () => {
    const c = layout.constants;
    expect({
      magic: engine.ENGINE_MAGIC,
      version: engine.ENGINE_VERSION,
      maxMessage: engine.ENGINE_MAX_MESSAGE,
      maxFds: engine.ENGINE_MAX_FDS,
      planFd: engine.ENGINE_PLAN_FD,
    }).toEqual({
      magic: c.NABLA_ENGINE_MAGIC,
      version: c.NABLA_ENGINE_VERSION,
      maxMessage: c.NABLA_ENGINE_MAX_MESSAGE,
      maxFds: c.NABLA_ENGINE_MAX_FDS,
      planFd: c.NABLA_ENGINE_PLAN_FD,
    });
  });

  it('plan v2 constants: flags, id and limit sentinels, namespace bits', () => {
    const c = layout.constants;
    expect({
      pdeathsig: plan.PLAN_F_PDEATHSIG,
      dumpable: plan.PLAN_F_DUMPABLE,
      verbose: plan.PLAN_F_VERBOSE,
      all:
        plan.PLAN_F_X_EXEC_HEAP |
        plan.PLAN_F_PDEATHSIG |
        plan.PLAN_F_DUMPABLE |
        plan.PLAN_F_VERBOSE,
      keep: plan.PLAN_ID_KEEP,
    }).toEqual({
      pdeathsig: c.NABLA_PLAN_F_PDEATHSIG,
      dumpable: c.NABLA_PLAN_F_DUMPABLE,
      verbose: c.NABLA_PLAN_F_VERBOSE,
      all: c.NABLA_PLAN_F_ALL,
      keep: c.NABLA_PLAN_ID_KEEP,
    });
    // 2^64 - 1 does not survive JSON.parse as a number: compare the printed digits.
    expect(raw).toMatch(
      new RegExp(`"NABLA_PLAN_RLIM_INFINITY": ${plan.PLAN_RLIM_INFINITY.toString()}\\b`),
    );
    const ns = Object.fromEntries(
      Object.keys(plan.PLAN_NS).map((name) => [name, c[`NABLA_PLAN_NS_${name.toUpperCase()}`]]),
    );
    expect(plan.PLAN_NS).toEqual(ns);
    expect(Object.values(plan.PLAN_NS).reduce((a, b) => a | b, 0)).toBe(c.NABLA_PLAN_NS_ALL);
  });

  it('spt ABI constants', () => {
    const c = layout.constants;
    const ts: Record<string, number | bigint> = {
      SPT_ABI_TARGET: abi.SPT_ABI_TARGET,
      SPT_ABI_VERSION: abi.SPT_ABI_VERSION,
      SPT_GUEST_MIN_BASE: abi.SPT_GUEST_MIN_BASE,
      SPT_HOST_MEM_BASE: abi.SPT_HOST_MEM_BASE,
      SPT_BOOT_INFO_BASE: abi.SPT_BOOT_INFO_BASE,
      SPT_CMDLINE_SIZE: abi.SPT_CMDLINE_SIZE,
      SPT_DEFAULT_MEM_SIZE: abi.SPT_DEFAULT_MEM_SIZE,
      SOLO5_NOTE_NAMESZ: abi.SOLO5_NOTE_NAMESZ,
      SOLO5_NOTE_ABI: abi.SOLO5_NOTE_ABI,
      SOLO5_NOTE_MANIFEST: abi.SOLO5_NOTE_MANIFEST,
      SOLO5_NOTE_MANIFEST_MAX_DESCSZ: abi.SOLO5_NOTE_MANIFEST_MAX_DESCSZ,
      MFT_VERSION: abi.MFT_VERSION,
      MFT_MAX_ENTRIES: abi.MFT_MAX_ENTRIES,
      MFT_NAME_SIZE: abi.MFT_NAME_SIZE,
      MFT_NAME_MAX: abi.MFT_NAME_MAX,
      MFT_NOTE_DESC_PAD: abi.MFT_NOTE_DESC_PAD,
      MFT_DEV_BLOCK_BASIC: abi.MFT_DEV_BLOCK_BASIC,
      MFT_DEV_NET_BASIC: abi.MFT_DEV_NET_BASIC,
      MFT_RESERVED_FIRST: abi.MFT_RESERVED_FIRST,
      SPT_EPOLL_TIMERFD_DATA: abi.SPT_EPOLL_TIMERFD_DATA,
    };
    for (const [name, value] of Object.entries(ts))
      expect([name, Number(value)]).toEqual([name, c[name]]);
    expect(layout.strings.SOLO5_NOTE_NAME).toBe(abi.SOLO5_NOTE_NAME);
  });

  it('manifest entry, note header and boot info layouts', () => {
    const entry = offsets('mft_entry');
    expect(layout.structs.mft_entry?.size).toBe(abi.MFT_ENTRY_SIZE);
    expect(layout.structs.mft?.size).toBe(abi.MFT_HEADER_SIZE);
    expect({
      name: entry.name,
      type: entry.type,
      capacity: entry['u.block_basic.capacity'],
      blockSize: entry['u.block_basic.block_size'],
      mac: entry['u.net_basic.mac'],
      mtu: entry['u.net_basic.mtu'],
      hostfd: entry['b.hostfd'],
      attached: entry.attached,
    }).toEqual(abi.MFT_ENTRY);
    expect(layout.structs.solo5_nhdr?.size).toBe(abi.SOLO5_NHDR_SIZE);
    expect(layout.structs.abi1_info?.size).toBe(abi.ABI1_INFO_SIZE);
    expect(layout.structs.spt_boot_info?.size).toBe(abi.SPT_BOOT_INFO_SIZE);
  });

  it("nabla's extension page and its note: layout and constants", () => {
    const c = layout.constants;
    expect(layout.structs.nabla_ext?.size).toBe(abi.NABLA_EXT_SIZE);
    const ts = Object.fromEntries(Object.entries(abi.NABLA_EXT).map(([k, v]) => [snake(k), v]));
    expect(ts).toEqual(offsets('nabla_ext'));
    expect({
      base: Number(abi.NABLA_EXT_BASE),
      version: abi.NABLA_EXT_VERSION,
      namesz: abi.NABLA_NOTE_NAMESZ,
      type: abi.NABLA_NOTE_EXT,
      descsz: abi.NABLA_NOTE_EXT_DESCSZ,
    }).toEqual({
      base: c.NABLA_EXT_BASE,
      version: c.NABLA_EXT_VERSION,
      namesz: c.NABLA_NOTE_NAMESZ,
      type: c.NABLA_NOTE_EXT,
      descsz: c.NABLA_NOTE_EXT_DESCSZ,
    });
    // Above 2^53, so JSON.parse would round it: compare the printed digits.
    expect(raw).toMatch(new RegExp(`"NABLA_EXT_MAGIC": ${abi.NABLA_EXT_MAGIC.toString()}\\b`));
    expect(layout.strings.NABLA_NOTE_NAME).toBe(abi.NABLA_NOTE_NAME);
    expect(abi.NABLA_NOTE_NAMESZ).toBe(abi.NABLA_NOTE_NAME.length + 1);
  });
});
