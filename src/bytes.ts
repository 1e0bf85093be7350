// bytes.ts: paths and arguments are bytes; a reversible text form of them for parsing and messages.
//
// Linux hands a program its arguments, and takes file names, as bytes that need not be UTF-8.
// Node decodes process.argv lossily (every invalid byte becomes U+FFFD), which would open another
// file and give the guest other bytes; upstream solo5-spt passes them through untouched. So the
// CLI reads the raw bytes and turns them into text with the escape Python calls "surrogateescape"
// (PEP 383): valid UTF-8 decodes as usual, and each byte of an invalid sequence becomes the lone
// surrogate U+DC80 + byte. That text parses with ordinary string code (options are ASCII), and
// `textToBytes` gives back exactly the bytes, for the file system and the guest; a message
// quoting such a path escapes them (text-escape.ts), as the tender does.

const ESCAPE_BASE = 0xdc00;

/** The length of the valid UTF-8 sequence starting at `i`, or 0 when there is none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const lead = b[i] ?? 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const v = b[i + k];
    return v !== undefined && v >= lo && v <= hi;
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  // The second byte's range excludes overlong forms (E0, F0), surrogates (ED) and > U+10FFFF (F4).
  if (lead >= 0xe0 && lead <= 0xef) {
    const lo = lead === 0xe0 ? 0xa0 : 0x80;
    const hi = lead === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const lo = lead === 0xf0 ? 0x90 : 0x80;
    const hi = lead === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Bytes as text: UTF-8, with each byte of an invalid sequence escaped as U+DC80..U+DCFF. */
export function bytesToText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = buffer.toString('utf8');
  // Without a replacement character the bytes were valid UTF-8 (or held U+FFFD itself).
  if (!plain.includes('\ufffd')) return plain;
  let out = '';
  let start = 0; // the start of the pending run of valid bytes
  for (let i = 0; i < buffer.length; ) {
    const n = sequenceLength(buffer, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buffer.toString('utf8', start, i) + String.fromCharCode(ESCAPE_BASE + (buffer[i] ?? 0));
    i += 1;
    start = i;
  }
  return out + buffer.toString('utf8', start);
}

/** The inverse of bytesToText; any other string is encoded as UTF-8, as Node encodes it. */
export function textToBytes(text: string): Buffer {
  if (!/[\udc80-\udcff]/.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // A high surrogate: with its low half it is one character, which the escapes never are.
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      continue;
    }
    if (unit < 0xdc80 || unit > 0xdcff) continue;
    parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.of(unit - ESCAPE_BASE));
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** What the API takes wherever it takes a path or an argument. */
export type BytesInput = Buffer | Uint8Array | string;

/** A string is UTF-8 (as Node's fs and spawn take it); bytes are copied as they are. */
export function inputBytes(value: BytesInput): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
}

export function isBytesInput(value: unknown): value is BytesInput {
  return typeof value === 'string' || value instanceof Uint8Array;
}
