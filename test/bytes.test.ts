// bytes.test.ts: the reversible text form of paths and arguments (surrogate escapes for bytes that are not UTF-8).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToText, inputBytes, textToBytes } from '../src/bytes.js';

describe('bytes as text', () => {
  it('valid UTF-8 reads as itself, and encodes back as Node encodes it', () => {
    for (const text of ['', 'hello.nabla', '/tmp/ü €/😀', '\ufffd is a character too']) {
      expect(bytesToText(Buffer.from(text))).toBe(text);
      expect(textToBytes(text)).toEqual(Buffer.from(text));
    }
  });

  it('each byte of an invalid sequence becomes U+DC80 + byte', () => {
    const cases: Array<[number[], string]> = [
      [[0x61, 0xff, 0x62], 'a\udcffb'],
      [[0xe2, 0x82], '\udce2\udc82'], // truncated €
      [[0xed, 0xa0, 0x80], '\udced\udca0\udc80'], // an encoded surrogate is not UTF-8
      [[0xc0, 0xaf], '\udcc0\udcaf'], // overlong '/'
      [[0xf4, 0x90, 0x80, 0x80], '\udcf4\udc90\udc80\udc80'], // above U+10FFFF
      [[0xff, 0xe2, 0x82, 0xac], '\udcff€'],
    ];
    for (const [bytes, text] of cases) {
      expect(bytesToText(Buffer.from(bytes))).toBe(text);
      expect(textToBytes(text)).toEqual(Buffer.from(bytes));
    }
  });

  it('any bytes survive the round trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(textToBytes(bytesToText(bytes))).toEqual(Buffer.from(bytes));
      }),
      { numRuns: 5_000 },
    );
  });

  it('a lone surrogate outside the escapes encodes as Node does (U+FFFD)', () => {
    expect(textToBytes('\ud800\udcff')).toEqual(Buffer.from('\ud800\udcff'));
    expect(textToBytes('\udc10\udcff')).toEqual(Buffer.from([0xef, 0xbf, 0xbd, 0xff]));
  });

  it('the API takes strings as UTF-8 and bytes as they are', () => {
    expect(inputBytes('ü')).toEqual(Buffer.from([0xc3, 0xbc]));
    expect(inputBytes(new Uint8Array([0xff]))).toEqual(Buffer.from([0xff]));
    const original = Buffer.from([1, 2]);
    const copy = inputBytes(original);
    original[0] = 9;
    expect(copy).toEqual(Buffer.from([1, 2]));
  });
});
