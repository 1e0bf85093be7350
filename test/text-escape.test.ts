// text-escape.test.ts: the one escaping of quoted untrusted text, in TypeScript and in C (text-escape), byte for byte.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeBytes, escapeName, escapeText, terminalJson } from '../src/text-escape.js';
import { controlChars } from './helpers/control-chars.js';
import { tool } from './helpers/paths.js';

/** The tender's escaping of each input (tenders/common/text_escape.c through text-escape). */
function escapeInC(inputs: readonly Uint8Array[]): string[] {
  const stdin = Buffer.concat(inputs.flatMap((b) => [Buffer.from(b), Buffer.from([0])]));
  const r = spawnSync(tool('text-escape'), { input: stdin, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').slice(0, inputs.length);
}

const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex');
/** [what, input bytes, escaped] */
const CASES: Array<[string, Buffer, string]> = [
  ['plain ASCII', Buffer.from('storage-0 a.nabla'), 'storage-0 a.nabla'],
  ['ESC and BEL', Buffer.from('a\x1b[31mred\x07'), 'a\\x1b[31mred\\x07'],
  ['every C0 and DEL', Buffer.from('\x01\x09\x0a\x0d\x1f\x7f'), '\\x01\\x09\\x0a\\x0d\\x1f\\x7f'],
  ['backslash doubles', Buffer.from('C:\\x1b'), 'C:\\\\x1b'],
  ['UTF-8 text stays', Buffer.from('café ✓ 😀'), 'café ✓ 😀'],
  ['C1 as UTF-8 (U+009B CSI)', hex('c2 9b'), '\\xc2\\x9b'],
  ['C1 as a raw byte', hex('9b 5b 33 31 6d'), '\\x9b[31m'],
  ['no-break space (U+00A0) stays', hex('c2 a0'), '\u00a0'],
  ['soft hyphen (U+00AD)', hex('c2 ad'), '\\xc2\\xad'],
  ['right-to-left override (U+202E)', hex('e2 80 ae'), '\\xe2\\x80\\xae'],
  ['zero-width space (U+200B)', hex('e2 80 8b'), '\\xe2\\x80\\x8b'],
  ['byte order mark (U+FEFF)', hex('ef bb bf'), '\\xef\\xbb\\xbf'],
  ['overlong NUL', hex('c0 80'), '\\xc0\\x80'],
  ['overlong slash', hex('e0 80 af'), '\\xe0\\x80\\xaf'],
  ['surrogate', hex('ed a0 80'), '\\xed\\xa0\\x80'],
  ['above U+10FFFF', hex('f4 90 80 80'), '\\xf4\\x90\\x80\\x80'],
  ['truncated sequence, then ASCII', hex('e2 80 41'), '\\xe2\\x80A'],
  ['lone continuation bytes', hex('80 bf'), '\\x80\\xbf'],
  ['0xff', hex('ff'), '\\xff'],
];

describe('escapeBytes (src/text-escape.ts) and text_escape (tenders/common)', () => {
  it.each(CASES)('%s', (_, input, escaped) => {
    expect(escapeBytes(input)).toBe(escaped);
  });

  it('the tender escapes every case the same way', () => {
    expect(escapeInC(CASES.map(([, input]) => input))).toEqual(CASES.map(([, , e]) => e));
  });

  it('the same on 3000 arbitrary byte strings, and never leaves a control byte', () => {
    const strings = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 20 }).map((s) => Buffer.from(s)),
      ),
      { numRuns: 3000, seed: 0x6e61626c },
    );
    // NUL ends a C string: the inputs stop at their first one.
    const inputs = strings.map((b) => {
      const bytes = Buffer.from(b);
      const nul = bytes.indexOf(0);
      return nul < 0 ? bytes : bytes.subarray(0, nul);
    });
    const c = escapeInC(inputs);
    const ts = inputs.map((b) => escapeBytes(b));
    expect(c).toEqual(ts);
    for (const text of ts) expect(controlChars(`${text}\n`)).toEqual([]);
  });

  it('paths are escaped as their UTF-8 bytes, manifest names as the bytes they were read from', () => {
    expect(escapeText('/tmp/\x1b]0;x\x07')).toBe('/tmp/\\x1b]0;x\\x07');
    expect(escapeText('é')).toBe('é');
    // A name is decoded byte for byte (latin1): 0xe9 alone is malformed UTF-8.
    expect(escapeName('\xe9\x9b')).toBe('\\xe9\\x9b');
  });
});

describe('terminalJson', () => {
  it('escapes DEL, the C1 controls and the format characters that JSON.stringify leaves raw', () => {
    const value = { name: 'a\x1b\x7f\x9b\u202eb', n: 1 };
    const text = terminalJson(value);
    expect(text).toBe('{"name":"a\\u001b\\u007f\\u009b\\u202eb","n":1}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
