// clock.ts: whether the guest reads the clock without a system call (docs/abi.md §4.5), and why.
import { readFileSync } from 'node:fs';
import { NABLA_EXT_VERSION } from '../elf/abi.js';
import { ElfFile } from '../elf/file.js';
import { readElfHeader } from '../elf/header.js';
import { readExtNote } from '../elf/notes.js';

/** The report's clock section (schema 1.2.0). */
export interface ClockSection {
  /** True when every condition below holds: the guest's clock reads are calls into the vDSO. */
  withoutSyscall: boolean;
  /** nabla's tender writes the extension page on every start (always true for this tender). */
  pagePublished: boolean;
  /** This kernel maps a vDSO into processes (false when booted with vdso=0). */
  vdsoMapped: boolean;
  /** The current clocksource (null: unreadable) and whether the vDSO reads it in user space. */
  clocksource: string | null;
  clocksourceInVdso: boolean;
  /** The version of the page the image says it reads (its EXT1 note; null: none, it never looks). */
  guestPageVersion: number | null;
  /** One sentence: why the answer is what it is. */
  reason: string;
}

export const CLOCKSOURCE_PATH = '/sys/devices/system/clocksource/clocksource0/current_clocksource';

/*
 * The x86_64 clocksources whose reads the vDSO does in user space (the kernel gives them a
 * vDSO clock mode). Any other (hpet, acpi_pm, jiffies, ...) makes the vDSO fall back to the
 * clock_gettime system call. kvm-clock is in user space only while the hypervisor marks the
 * TSC stable, which /sys does not show; it is counted as capable here.
 */
export const VDSO_CLOCKSOURCES: readonly string[] = [
  'tsc',
  'kvm-clock',
  'hyperv_clocksource_tsc_page',
];

/** The current clocksource's name, or null when it cannot be read. */
export function currentClocksource(path = CLOCKSOURCE_PATH): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Whether this process has a vDSO mapped: then the tender (another process here) has one too. */
function vdsoMapped(): boolean {
  try {
    return /\[vdso\]$/m.test(readFileSync('/proc/self/maps', 'utf8'));
  } catch {
    return false;
  }
}

/** The EXT1 note's version in the open unikernel, or null (also for a file it cannot read). */
function pageVersion(fd: number, path: string): number | null {
  try {
    const file = new ElfFile(fd, path);
    return readExtNote(file, readElfHeader(file)) ?? null;
  } catch {
    return null;
  }
}

/** The clock section for the unikernel open at `fd` on this host. */
export function clockSection(fd: number, path: string): ClockSection {
  const vdso = vdsoMapped();
  const clocksource = currentClocksource();
  const inVdso = clocksource !== null && VDSO_CLOCKSOURCES.includes(clocksource);
  const version = pageVersion(fd, path);
  const reads = version === NABLA_EXT_VERSION;
  let reason: string;
  if (!reads)
    reason =
      version === null
        ? 'the image does not read the extension page (no EXT1 note): every clock read is the clock_gettime system call'
        : `the image reads version ${version} of the extension page, this tender writes version ${NABLA_EXT_VERSION}: every clock read is the clock_gettime system call`;
  else if (!vdso)
    reason =
      'the kernel maps no vDSO (vdso=0): the tender publishes no clock, the SDK makes the system call';
  else if (!inVdso)
    reason = `the clocksource ${clocksource ?? '(unreadable)'} is not read in user space: the vDSO itself makes the clock_gettime system call`;
  else
    reason = `the tender publishes the vDSO's clock_gettime, the SDK in the image calls it, and the clocksource ${clocksource} is read in user space`;
  return {
    withoutSyscall: reads && vdso && inVdso,
    pagePublished: true,
    vdsoMapped: vdso,
    clocksource,
    clocksourceInVdso: inVdso,
    guestPageVersion: version,
    reason,
  };
}
