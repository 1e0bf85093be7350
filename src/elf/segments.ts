// segments.ts: the loadable-segment checks of docs/elf-validation.md §2 (what the tender will map).
import { hex } from '../hex.js';
import { SPT_GUEST_MIN_BASE } from './abi.js';
import type { ElfFile } from './file.js';
import { type ElfHeader, invalidExecutable, PF_W, PF_X, PT_LOAD } from './header.js';

const U64_MAX = (1n << 64n) - 1n;
/** mprotect works in whole pages: the unit in which segments must not share memory. */
const PAGE_SIZE = 0x1000n;
const pageDown = (v: bigint) => v & ~(PAGE_SIZE - 1n);
const pageUp = (v: bigint) => (v + PAGE_SIZE - 1n) & ~(PAGE_SIZE - 1n);

/** Checks 15–25 for every PT_LOAD with p_filesz > 0; returns kernel_end as the tender computes it. */
export function checkSegments(file: ElfFile, header: ElfHeader, memSize: bigint): bigint {
  let kernelEnd = 0n;
  let previous: { vaddr: bigint; end: bigint } | undefined;
  for (const ph of header.phdrs) {
    if (ph.type !== PT_LOAD || ph.filesz === 0n) continue;
    const fail = (detail: string) => invalidExecutable(file, `segment ${ph.index}: ${detail}`);
    if (ph.memsz < ph.filesz) {
      throw fail(`p_memsz ${hex(ph.memsz)} is smaller than p_filesz ${hex(ph.filesz)}`);
    }
    const powerOfTwo = ph.align !== 0n && (ph.align & (ph.align - 1n)) === 0n;
    if (ph.align !== 0n && !powerOfTwo)
      throw fail(`p_align ${hex(ph.align)} is not a power of two`);
    if (ph.vaddr < SPT_GUEST_MIN_BASE) throw fail(`p_vaddr ${hex(ph.vaddr)} is below 0x100000`);
    if (!file.contains(ph.offset, ph.filesz)) {
      throw fail(
        `file range lies outside the file (p_offset ${hex(ph.offset)}, p_filesz ${hex(ph.filesz)}, file size ${hex(file.size)})`,
      );
    }
    const end = ph.vaddr + ph.memsz;
    const alignedEnd = powerOfTwo ? end + (ph.align - 1n) : end;
    if (end > U64_MAX || alignedEnd > U64_MAX) {
      throw fail(
        `address range overflows (p_vaddr ${hex(ph.vaddr)}, p_memsz ${hex(ph.memsz)}, p_align ${hex(ph.align)})`,
      );
    }
    if (end > memSize) throw fail(`ends at ${hex(end)}, beyond the memory size ${hex(memSize)}`);
    // Row 21: the extent p_align gives the segment (kernel_end is its end) stays in guest memory.
    const start = powerOfTwo ? ph.vaddr & ~(ph.align - 1n) : ph.vaddr;
    const roundedEnd = powerOfTwo ? alignedEnd & ~(ph.align - 1n) : end;
    if (start < SPT_GUEST_MIN_BASE || roundedEnd > memSize) {
      throw fail(
        `p_align ${hex(ph.align)} extends it to ${hex(start)}-${hex(roundedEnd)}, outside guest memory 0x100000-${hex(memSize)}`,
      );
    }
    if (previous && ph.vaddr < previous.vaddr) {
      throw fail(`not sorted by p_vaddr (${hex(ph.vaddr)} after ${hex(previous.vaddr)})`);
    }
    if (previous && ph.vaddr < previous.end) {
      throw fail(
        `overlaps the previous segment (starts at ${hex(ph.vaddr)}, previous ends at ${hex(previous.end)})`,
      );
    }
    // Row 24: one page has one protection, so a shared page would give one segment the other's.
    if (previous && pageDown(ph.vaddr) < pageUp(previous.end)) {
      throw fail(
        `shares page ${hex(pageDown(ph.vaddr))} with the previous segment (starts at ${hex(ph.vaddr)}, previous ends at ${hex(previous.end)})`,
      );
    }
    if ((ph.flags & PF_W) !== 0 && (ph.flags & PF_X) !== 0) {
      throw fail(`asks for write and execute (p_flags ${hex(ph.flags)})`);
    }
    if (roundedEnd > kernelEnd) kernelEnd = roundedEnd;
    previous = { vaddr: ph.vaddr, end };
  }
  return kernelEnd;
}
