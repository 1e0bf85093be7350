// text-escape.ts: untrusted text (manifest names, paths) made safe to print, as the tender does it.
import { textToBytes } from './bytes.js';

/**
 * Invisible characters that can hide or reorder text on a terminal: soft hyphen, Arabic letter
 * mark, zero-width and direction marks, line/paragraph separators and embeddings, word joiner
 * to nominal digit shapes, byte order mark, interlinear annotation.
 */
function isFormat(cp: number): boolean {
  return (
    cp === 0xad ||
    cp === 0x61c ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0xfeff ||
    (cp >= 0xfff9 && cp <= 0xfffb)
  );
}

/** Length and code point of the well-formed UTF-8 sequence at `at` (2-4 bytes), or 0. */
function utf8Sequence(b: Uint8Array, at: number): [length: number, cp: number] {
  const lead = b[at] ?? 0;
  let n: number;
  let min: number;
  let cp: number;
  if (lead >= 0xc2 && lead <= 0xdf) [n, min, cp] = [2, 0x80, lead & 0x1f];
  else if (lead >= 0xe0 && lead <= 0xef) [n, min, cp] = [3, 0x800, lead & 0x0f];
  else if (lead >= 0xf0 && lead <= 0xf4) [n, min, cp] = [4, 0x10000, lead & 0x07];
  else return [0, 0];
  for (let i = 1; i < n; i++) {
    const c = b[at + i];
    if (c === undefined || (c & 0xc0) !== 0x80) return [0, 0];
    cp = (cp << 6) | (c & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0, 0];
  return [n, cp];
}

const hex2 = (byte: number) => `\\x${byte.toString(16).padStart(2, '0')}`;

/**
 * The one escaping of quoted untrusted text, byte for byte the tender's
 * (tenders/common/text_escape.c; rules in docs/elf-validation.md, "Quoted text"): printable
 * ASCII stays, a backslash doubles, well-formed UTF-8 at U+00A0 and above stays unless it is an
 * invisible format character, and every other byte (C0, DEL, C1, malformed UTF-8) is \xHH.
 */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (let at = 0; at < bytes.length; ) {
    const byte = bytes[at] as number;
    if (byte >= 0x20 && byte < 0x7f) {
      out += byte === 0x5c ? '\\\\' : String.fromCharCode(byte);
      at += 1;
      continue;
    }
    const [n, cp] = utf8Sequence(bytes, at);
    if (n > 0 && cp >= 0xa0 && !isFormat(cp)) {
      out += String.fromCodePoint(cp);
      at += n;
      continue;
    }
    // One byte at a time: a malformed sequence may hide a control.
    for (const b of bytes.subarray(at, at + Math.max(n, 1))) out += hex2(b);
    at += Math.max(n, 1);
  }
  return out;
}

/**
 * A path or an argument as the user gave it: its bytes, or its text form (bytes.ts), whose
 * escaped bytes are restored first so that a byte that is not UTF-8 prints as \xHH.
 */
export function escapeText(text: string | Uint8Array): string {
  return escapeBytes(typeof text === 'string' ? textToBytes(text) : text);
}

/** A manifest name: decoded byte for byte (latin1) from the file, so re-encoded the same way. */
export function escapeName(name: string): string {
  return escapeBytes(Buffer.from(name, 'latin1'));
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL, the C1 controls and
 * the format characters above as they are. They become \u escapes here: the same JSON values,
 * nothing a terminal would act on.
 */
export function terminalJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}
