// address.test.ts: `tcp:[HOST:]PORT` is parsed strictly, with one clear line for each bad form; the /30 pool arithmetic.
import { describe, expect, it } from 'vitest';
import { formatSummonAddress, parseSummonAddress } from '../../../src/daemon/summon/address.js';
import { overlaps, parsePool, slotOf } from '../../../src/daemon/summon/subnet.js';
import { NablaError } from '../../../src/errors.js';

describe('parseSummonAddress', () => {
  it.each([
    ['tcp:8080', { host: '0.0.0.0', port: 8080 }],
    ['tcp:1', { host: '0.0.0.0', port: 1 }],
    ['tcp:65535', { host: '0.0.0.0', port: 65535 }],
    ['tcp:127.0.0.1:80', { host: '127.0.0.1', port: 80 }],
    ['tcp:[::1]:8080', { host: '::1', port: 8080 }],
    ['tcp:[::]:443', { host: '::', port: 443 }],
    ['tcp:[fe80::1:2]:9', { host: 'fe80::1:2', port: 9 }],
  ])('%s', (text, want) => {
    expect(parseSummonAddress(text)).toEqual(want);
    expect(parseSummonAddress(formatSummonAddress(want))).toEqual(want);
  });

  const FORM = 'tcp:[HOST:]PORT (e.g. tcp:8080, tcp:127.0.0.1:8080, tcp:[::1]:8080)';
  it.each([
    ['8080', FORM],
    ['udp:53', FORM],
    ['TCP:80', FORM],
    ['tcp:', `${FORM}: PORT 1-65535`],
    ['tcp:0', `${FORM}: PORT 1-65535`],
    ['tcp:65536', `${FORM}: PORT 1-65535`],
    ['tcp:080', `${FORM}: PORT 1-65535`],
    ['tcp:+80', `${FORM}: PORT 1-65535`],
    ['tcp:80 ', `${FORM}: PORT 1-65535`],
    ['tcp:1.2.3.4:', `${FORM}: PORT 1-65535`],
    ['tcp:localhost:80', `${FORM}: HOST as an IPv4 literal`],
    ['tcp:1.2.3:80', `${FORM}: HOST as an IPv4 literal`],
    ['tcp:256.1.1.1:80', `${FORM}: HOST as an IPv4 literal`],
    ['tcp::80', `${FORM}: HOST as an IPv4 literal`],
    ['tcp:::1:80', `${FORM}: an IPv6 HOST in brackets`],
    ['tcp:[::1]80', `${FORM}: a bracketed IPv6 literal`],
    ['tcp:[::1:80', `${FORM}: a bracketed IPv6 literal`],
    ['tcp:[1.2.3.4]:80', `${FORM}: a bracketed IPv6 literal`],
  ])('refuses %j', (text, what) => {
    let caught: unknown;
    try {
      parseSummonAddress(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NablaError);
    expect((caught as NablaError).code).toBe('OPTION_INVALID');
    expect((caught as NablaError).message).toBe(
      `Expected ${what} for --summon but received ${JSON.stringify(text)}`,
    );
  });

  it('refuses a value that is not a string, and allows port 0 only when asked', () => {
    expect(() => parseSummonAddress(8080)).toThrow(
      /^Expected tcp:.* for --summon but received 8080$/,
    );
    expect(() => parseSummonAddress('tcp:0')).toThrow(/PORT 1-65535/);
    expect(parseSummonAddress('tcp:127.0.0.1:0', 'listen', true)).toEqual({
      host: '127.0.0.1',
      port: 0,
    });
  });
});

describe('tap pool slots', () => {
  it('cuts a pool into /30s: network, host .1, guest .2, a MAC per slot', () => {
    const pool = parsePool('10.213.0.0/16');
    expect(pool.slots).toBe(16384);
    expect(slotOf(pool, 0)).toEqual({
      index: 0,
      network: '10.213.0.0',
      host: '10.213.0.1',
      guest: '10.213.0.2',
      prefixLength: 30,
      mac: '02:6e:62:00:00:00',
    });
    expect(slotOf(pool, 16383)).toMatchObject({
      network: '10.213.255.252',
      guest: '10.213.255.254',
      mac: '02:6e:62:00:3f:ff',
    });
    expect(() => slotOf(pool, 16384)).toThrow(RangeError);
    expect(parsePool('192.168.7.0/30').slots).toBe(1);
  });

  it.each(['10.213.0.0', '10.213.0.0/31', '10.213.0.0/7', '10.213.0.1/24', '300.0.0.0/8', 'x/24'])(
    'refuses pool %j',
    (text) => {
      expect(() => parsePool(text)).toThrow(
        /^Expected an IPv4 network A\.B\.C\.D\/P with P from 8 to 30/,
      );
    },
  );

  it('sees a host network that shares an address with a /30', () => {
    const n = (ip: string) => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
    expect(overlaps(n('10.0.0.4'), n('10.0.0.5'), 32)).toBe(true);
    expect(overlaps(n('10.0.0.4'), n('10.0.0.0'), 24)).toBe(true);
    expect(overlaps(n('10.0.0.4'), n('10.0.0.0'), 30)).toBe(false);
    expect(overlaps(n('10.0.0.4'), n('10.0.0.8'), 29)).toBe(false);
    expect(overlaps(n('10.0.0.4'), n('10.0.0.0'), 29)).toBe(true);
  });
});
