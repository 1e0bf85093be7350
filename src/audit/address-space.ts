// address-space.ts: what a guest's address space holds when its filter goes in, from /proc/PID/maps (docs/security.md §2.9).

/** One mapping, as /proc/PID/maps gives it. */
export interface Mapping {
  start: string;
  end: string;
  perms: string;
  name: string;
}

/**
 * The guest's address space at the stop where the tender's seccomp() returned: the last
 * stage has unmapped the tender by then, and the guest's first instruction is next. Each
 * mapping is in exactly one group; `other` should be empty (anything there is left of the
 * tender, or of the host).
 */
export interface AddressSpace {
  /** Guest memory, [0x10000, memory size), in as many mappings as protections it takes. */
  guestMemory: { start: string; end: string; mappings: number; covered: boolean };
  /** The kernel's vDSO mappings ([vvar], [vvar_vclock], [vdso]): kept for the clock. */
  vdso: string[];
  /** The read+execute trampoline page(s) of the last stage, anonymous, outside guest memory. */
  trampoline: Mapping[];
  /** [vsyscall]: the kernel's fixed page above every user address; no process can unmap it. */
  kernel: string[];
  /** Everything else. */
  other: Mapping[];
}

const GUEST_BASE = 0x10000n; // docs/abi.md §4.1

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** The maps text (Latin-1 for non-ASCII bytes, as syscall-trace escapes them) as mappings. */
export function parseMaps(text: string): Array<Mapping & { from: bigint; to: bigint }> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [range = '', perms = '', , , , ...rest] = line.split(/ +/);
      const [start = '0', end = '0'] = range.split('-');
      return {
        start: `0x${start}`,
        end: `0x${end}`,
        perms,
        name: rest.join(' '),
        from: BigInt(`0x${start}`),
        to: BigInt(`0x${end}`),
      };
    });
}

/** Sorts the mappings of a guest whose memory is [0x10000, memSize) into their groups. */
export function classifyAddressSpace(text: string, memSize: bigint): AddressSpace {
  const mappings = parseMaps(text);
  const inGuest = mappings.filter((m) => m.from >= GUEST_BASE && m.to <= memSize);
  const rest = mappings.filter((m) => !inGuest.includes(m));
  const plain = ({ start, end, perms, name }: Mapping): Mapping => ({ start, end, perms, name });
  const isVdso = (m: Mapping) => m.name === '[vdso]' || /^\[vvar[^\]]*\]$/.test(m.name);
  const isTrampoline = (m: Mapping) => m.name === '' && m.perms === 'r-xp';
  // Guest memory is covered when its mappings follow each other from the base to the end.
  let at = GUEST_BASE;
  for (const m of inGuest) if (m.from === at) at = m.to;
  return {
    guestMemory: {
      start: hex(GUEST_BASE),
      end: hex(memSize),
      mappings: inGuest.length,
      covered: at === memSize,
    },
    vdso: rest.filter(isVdso).map((m) => m.name),
    trampoline: rest.filter(isTrampoline).map(plain),
    kernel: rest.filter((m) => m.name === '[vsyscall]').map((m) => m.name),
    other: rest.filter((m) => !isVdso(m) && !isTrampoline(m) && m.name !== '[vsyscall]').map(plain),
  };
}

/** One line for the reports. */
export function addressSpaceText(a: AddressSpace): string {
  const memory = `guest memory ${a.guestMemory.start}-${a.guestMemory.end} (${a.guestMemory.mappings} mapping${a.guestMemory.mappings === 1 ? '' : 's'}${a.guestMemory.covered ? '' : ', with gaps'})`;
  const vdso = a.vdso.length > 0 ? `the vDSO (${a.vdso.join(', ')})` : 'no vDSO';
  const pages = a.trampoline.map((t) => `${t.start}-${t.end} ${t.perms}`).join(', ');
  const trampoline =
    a.trampoline.length === 1
      ? `one trampoline mapping (${pages})`
      : `${a.trampoline.length} trampoline mappings${pages ? ` (${pages})` : ''}`;
  const kernel = a.kernel.length > 0 ? `, the kernel's ${a.kernel.join(', ')}` : '';
  const other =
    a.other.length === 0
      ? '; nothing of the tender'
      : `; and ${a.other.length} other mapping${a.other.length === 1 ? '' : 's'}: ${a.other.map((m) => `${m.start}-${m.end} ${m.perms} ${m.name || '(anonymous)'}`).join('; ')}`;
  return `${memory}, ${vdso}, ${trampoline}${kernel}${other}`;
}
