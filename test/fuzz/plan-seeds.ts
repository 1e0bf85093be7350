// plan-seeds.ts: launch plans for fuzz-plan's seeds, made by prepare() for real guests as spawnTender would hand them over.
import { closeSync, openSync } from 'node:fs';
import { vi } from 'vitest';
import { prepare, type RunOptions } from '../../src/api.js';
import * as nativeApi from '../../src/native/index.js';
import { example, guest } from '../helpers/paths.js';
import type { Scratch } from '../helpers/scratch.js';
import type { Seed } from './corpus.js';

/** spawnTender's child layout: 3 the plan, 4 the ELF, 5.. the devices. */
const ELF_FD = 4;
const FIRST_DEVICE_FD = 5;

/** `cgroups`: how many cgroup.procs descriptors follow the devices (plan v3). */
function planOf(options: RunOptions, cgroups = 0): Buffer {
  const prepared = prepare(options);
  try {
    return prepared.encodePlan({
      elfFd: ELF_FD,
      deviceFds: prepared.devices.map((_, i) => FIRST_DEVICE_FD + i),
      cgroups: { firstFd: FIRST_DEVICE_FD + prepared.devices.length, count: cgroups },
    });
  } finally {
    prepared.release();
  }
}

/** Valid plans of several shapes: no device, block, block and control groups, block and net, big memory, long strings. */
export function planSeeds(scratch: Scratch): Seed[] {
  const disk = scratch.disk('seed-disk.img', 1 << 20);
  // The plan only names the net device's descriptor; the fuzzer never opens it. So /dev/null
  // stands in for a tap, and the kernel's answer about it (TUNGETIFF) is made a tap's.
  const netFd = openSync('/dev/null', 'r');
  const tunInfo = vi
    .spyOn(nativeApi, 'tunInfo')
    .mockReturnValue({ flags: nativeApi.IFF_TAP | nativeApi.IFF_NO_PI, name: 'tap0' });
  try {
    return [
      ['valid-hello', planOf({ kernel: example('hello') })],
      ['valid-hello-args', planOf({ kernel: example('hello'), args: ['Hello', 'from', 'nabla'] })],
      ['valid-x-exec-heap-1m', planOf({ kernel: guest('exit1'), memMiB: 2, xExecHeap: true })],
      ['valid-block', planOf({ kernel: example('blk'), block: [{ name: 'storage', path: disk }] })],
      [
        'valid-block-4-cgroups',
        planOf({ kernel: example('blk'), block: [{ name: 'storage', path: disk }] }, 4),
      ],
      [
        'valid-block-4k-and-net',
        planOf({
          kernel: guest('twin'),
          block: [{ name: 'storage', path: disk, sectorSize: 4096 }],
          net: [{ name: 'service0', fd: netFd, mac: '02:00:00:00:00:01' }],
        }),
      ],
      [
        'valid-longest-cmdline',
        planOf({ kernel: example('hello'), args: ['x'.repeat(8191)], memMiB: 4096 }),
      ],
    ];
  } finally {
    tunInfo.mockRestore();
    closeSync(netFd);
  }
}
