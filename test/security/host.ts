// host.ts: the host facts that decide how a few CPU- and kernel-dependent attempts must end.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface HostTraits {
  /**
   * AMD (and Hygon) CPUs have no sysenter in long mode, and do have syscall in 32-bit
   * compatibility mode; Intel's are the other way round (both per the vendors' manuals).
   */
  cpu: 'amd' | 'intel';
  /** The kernel maps the legacy vsyscall page (not booted with vsyscall=none). */
  vsyscall: boolean;
  /** i386 system calls and the 32-bit code segment exist (CONFIG_IA32_EMULATION, not disabled). */
  ia32: boolean;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Whether i386 entry points exist; assumed when the kernel does not publish its config. */
function ia32Emulation(): boolean {
  const boot = read('/proc/cmdline');
  if (/\bia32_emulation=(0|false|n)/.test(boot)) return false;
  let config: string;
  try {
    config = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    return true;
  }
  if (!/^CONFIG_IA32_EMULATION=y/m.test(config)) return false;
  const offByDefault = /^CONFIG_IA32_EMULATION_DEFAULT_DISABLED=y/m.test(config);
  return !offByDefault || /\bia32_emulation=(1|true|y)/.test(boot);
}

export function hostTraits(): HostTraits {
  const vendor = /^vendor_id\s*:\s*(\S+)/m.exec(read('/proc/cpuinfo'))?.[1] ?? '';
  return {
    cpu: vendor === 'AuthenticAMD' || vendor === 'HygonGenuine' ? 'amd' : 'intel',
    vsyscall: read('/proc/self/maps').includes('[vsyscall]'),
    ia32: ia32Emulation(),
  };
}
