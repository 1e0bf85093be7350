// bpf-sim.ts: a classic-BPF interpreter over struct seccomp_data, to prove what a filter allows.

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ACTION_FULL = 0xffff0000;

export interface SeccompData {
  nr: number;
  arch: number;
  ip?: bigint;
  args?: readonly bigint[];
}

export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export function decodeProgram(bpf: Buffer): Instruction[] {
  if (bpf.length === 0 || bpf.length % 8 !== 0) {
    throw new Error(
      `Expected a non-empty multiple of 8 bytes for a BPF program but received ${bpf.length}`,
    );
  }
  const program: Instruction[] = [];
  for (let at = 0; at < bpf.length; at += 8) {
    program.push({
      code: bpf.readUInt16LE(at),
      jt: bpf[at + 2] ?? 0,
      jf: bpf[at + 3] ?? 0,
      k: bpf.readUInt32LE(at + 4),
    });
  }
  return program;
}

/** The 64 bytes the kernel hands a filter: nr, arch, instruction pointer, six arguments. */
function seccompData(data: SeccompData): Buffer {
  const buf = Buffer.alloc(64);
  buf.writeInt32LE(data.nr | 0, 0);
  buf.writeUInt32LE(data.arch >>> 0, 4);
  buf.writeBigUInt64LE(data.ip ?? 0n, 8);
  for (const [i, arg] of (data.args ?? []).entries()) {
    buf.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + 8 * i);
  }
  return buf;
}

const u32 = (v: number) => v >>> 0;

/** Runs the program as the kernel would and returns the 32-bit action value. */
export function runFilter(
  program: readonly Instruction[],
  data: SeccompData,
  onLoad?: (offset: number) => void,
): number {
  const input = seccompData(data);
  const mem = new Uint32Array(16);
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const ins = program[pc] as Instruction;
    const cls = ins.code & 0x07;
    const size = ins.code & 0x18;
    const mode = ins.code & 0xe0;
    const op = ins.code & 0xf0;
    const src = ins.code & 0x08 ? x : ins.k;
    switch (cls) {
      case 0x00: // LD
      case 0x01: {
        // LDX
        let value: number;
        if (mode === 0x00)
          value = ins.k; // IMM
        else if (mode === 0x60)
          value = mem[ins.k & 15] ?? 0; // MEM
        else if (mode === 0x80)
          value = 64; // LEN
        else if (mode === 0x20 && size === 0x00 && ins.k % 4 === 0 && ins.k + 4 <= 64) {
          onLoad?.(ins.k);
          value = input.readUInt32LE(ins.k);
        } else
          throw new Error(`unsupported load at ${pc}: code ${ins.code.toString(16)} k ${ins.k}`);
        if (cls === 0x00) a = u32(value);
        else x = u32(value);
        break;
      }
      case 0x02: // ST
        mem[ins.k & 15] = a;
        break;
      case 0x03: // STX
        mem[ins.k & 15] = x;
        break;
      case 0x04: // ALU
        a = alu(op, a, u32(src), pc);
        break;
      case 0x05: {
        // JMP
        if (op === 0x00) {
          pc += ins.k;
          break;
        }
        const s = u32(src);
        const taken =
          op === 0x10
            ? a === s
            : op === 0x20
              ? a > s
              : op === 0x30
                ? a >= s
                : op === 0x40
                  ? (a & s) !== 0
                  : undefined;
        if (taken === undefined)
          throw new Error(`unsupported jump at ${pc}: code ${ins.code.toString(16)}`);
        pc += taken ? ins.jt : ins.jf;
        break;
      }
      case 0x06: // RET
        return u32((ins.code & 0x18) === 0x10 ? a : ins.k);
      case 0x07: // MISC
        if ((ins.code & 0xf8) === 0x00)
          x = a; // TAX
        else a = x; // TXA
        break;
    }
  }
  throw new Error('BPF program ran off its end');
}

export function alu(op: number, a: number, s: number, pc: number): number {
  switch (op) {
    case 0x00:
      return u32(a + s);
    case 0x10:
      return u32(a - s);
    case 0x20:
      return u32(Math.imul(a, s));
    case 0x30:
      if (s === 0) throw new Error(`division by zero at ${pc}`);
      return u32(Math.floor(a / s));
    case 0x40:
      return u32(a | s);
    case 0x50:
      return u32(a & s);
    case 0x60:
      return s >= 32 ? 0 : u32(a << s);
    case 0x70:
      return s >= 32 ? 0 : a >>> s;
    case 0x80:
      return u32(-a);
    case 0xa0:
      return u32(a ^ s);
    default:
      throw new Error(`unsupported ALU op ${op.toString(16)} at ${pc}`);
  }
}

/** The action part of a return value (drops the data bits). */
export function action(ret: number): number {
  return u32(ret & SECCOMP_RET_ACTION_FULL);
}
