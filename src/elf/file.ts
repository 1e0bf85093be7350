// file.ts: positioned, bounds-checked reads of an untrusted file through one open descriptor.
import { fstatSync, readSync } from 'node:fs';

/** An open unikernel file: every read goes through this descriptor (no re-open, no TOCTOU). */
export class ElfFile {
  readonly size: bigint;

  constructor(
    readonly fd: number,
    readonly path: string,
  ) {
    this.size = BigInt(fstatSync(fd).size);
  }

  /** True when [offset, offset + length) lies inside the file, without overflow. */
  contains(offset: bigint, length: bigint): boolean {
    return offset >= 0n && length >= 0n && offset <= this.size && length <= this.size - offset;
  }

  /** Reads exactly `length` bytes at `offset`; the caller has checked the range. */
  read(offset: bigint, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buffer, done, length - done, Number(offset) + done);
      if (n === 0) break;
      done += n;
    }
    if (done !== length) {
      throw new Error(`${this.path}: short read (${done} of ${length} bytes at ${offset})`);
    }
    return buffer;
  }
}
