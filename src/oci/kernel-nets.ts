// kernel-nets.ts: the network devices a unikernel declares, read with the same checks as any KERNEL.
import { closeSync } from 'node:fs';
import { textToBytes } from '../bytes.js';
import { inspectUnikernel, openUnikernel } from '../elf/unikernel.js';

/** The names of the NET_BASIC devices in the manifest, in manifest order. */
export function inspectKernelNets(kernel: string, memMiB: number): string[] {
  const path = textToBytes(kernel);
  const fd = openUnikernel(path);
  try {
    const { manifest } = inspectUnikernel(path, fd, BigInt(memMiB) << 20n);
    return manifest.devices.filter((d) => d.type === 'NET_BASIC').map((d) => d.name);
  } finally {
    closeSync(fd);
  }
}
