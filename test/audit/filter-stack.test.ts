// filter-stack.test.ts: seccomp-dump --all reads every filter of a live process's stack, oldest first, and the stack decodes as one.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeStack } from '../../src/audit/peer-filter.js';
import { readFilterStack } from '../../src/audit/peers.js';
import { waitFor } from '../helpers/live-guest.js';

const REBOOT = 169;

/*
 * A process that installs two filters (python's ctypes: prctl, as any program may): first one
 * instruction that allows everything, then four that answer reboot with EPERM. Index 0 of
 * PTRACE_SECCOMP_GET_FILTER is the oldest (the kernel's get_nth_filter counts from it).
 */
const STACKER = `
import ctypes, struct, sys, time
libc = ctypes.CDLL(None, use_errno=True)
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
def install(insns):
    raw = b"".join(struct.pack("<HBBI", *i) for i in insns)
    buf = ctypes.create_string_buffer(raw, len(raw))
    prog = Fprog(len(insns), ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:
        sys.exit("prctl: %d" % ctypes.get_errno())
libc.prctl(38, 1, 0, 0, 0)
install([(0x06, 0, 0, 0x7fff0000)])
install([(0x20, 0, 0, 0), (0x15, 0, 1, ${REBOOT}), (0x06, 0, 0, 0x00050001), (0x06, 0, 0, 0x7fff0000)])
print("ready", flush=True)
time.sleep(60)
`;

describe('filter stack readback (root)', () => {
  const children: Array<ReturnType<typeof spawn>> = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('reads both filters, oldest first, and intersects them', async () => {
    const child = spawn('python3', ['-c', STACKER], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await waitFor(child.stdout as NonNullable<typeof child.stdout>, 'ready');
    const filters = readFilterStack(child.pid as number);
    expect(filters.map((f) => f.length / 8)).toEqual([1, 4]);
    const stack = decodeStack(filters);
    const reachable = new Set(stack.reachable.map((s) => s.nr));
    expect(reachable.has(REBOOT)).toBe(false);
    expect(reachable.has(0)).toBe(true); // read
    expect(stack.reachable.every((s) => s.witnessed && !s.argumentFiltered)).toBe(true);
  });
});
