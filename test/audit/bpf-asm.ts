// bpf-asm.ts: hand-written classic-BPF programs for the prover's tests (filters libseccomp would never emit).

export type Insn = readonly [code: number, jt: number, jf: number, k: number];

/** Load the 32-bit word at byte offset k of struct seccomp_data (0 nr, 4 arch, 16 + 8i arg i low). */
export const LD = (k: number): Insn => [0x20, 0, 0, k];
/** Return k. */
export const RET = (k: number): Insn => [0x06, 0, 0, k];

/** The program as the 8-byte instructions the kernel takes. */
export function bpf(program: readonly Insn[]): Buffer {
  const out = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return out;
}
