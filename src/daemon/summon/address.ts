// address.ts: parses a summon listen address, `tcp:[HOST:]PORT`, strictly (IP literals only, IPv6 in brackets).
import { isIPv4, isIPv6 } from 'node:net';
import { expected } from '../../checks.js';

/** Where a summon front listens. */
export interface SummonAddress {
  /** An IPv4 or IPv6 literal (no brackets); 0.0.0.0 when the text names none. */
  host: string;
  /** 1-65535; 0 only where a caller allows an ephemeral port (tests). */
  port: number;
}

const FORM = 'tcp:[HOST:]PORT (e.g. tcp:8080, tcp:127.0.0.1:8080, tcp:[::1]:8080)';
const DEFAULT_HOST = '0.0.0.0';

/**
 * Parses `tcp:[HOST:]PORT`. HOST is an IPv4 literal or a bracketed IPv6 literal: a host name
 * would need a resolver, and what it resolves to can change under a resident daemon. PORT is
 * decimal without sign or leading zeros. `name` is what the message calls the value (an
 * option or a field). Throws NablaError (OPTION_INVALID), one line naming the value.
 */
export function parseSummonAddress(
  text: unknown,
  name = '--summon',
  allowEphemeral = false,
): SummonAddress {
  if (typeof text !== 'string' || !text.startsWith('tcp:')) throw expected(FORM, name, text);
  const rest = text.slice('tcp:'.length);
  let host = DEFAULT_HOST;
  let portText = rest;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const literal = close < 0 ? '' : rest.slice(1, close);
    if (!isIPv6(literal) || rest[close + 1] !== ':') {
      throw expected(`${FORM}: a bracketed IPv6 literal`, name, text);
    }
    host = literal;
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
      if (!isIPv4(host)) {
        const why = host.includes(':') ? 'an IPv6 HOST in brackets' : 'HOST as an IPv4 literal';
        throw expected(`${FORM}: ${why}`, name, text);
      }
    }
  }
  const port = /^(0|[1-9][0-9]{0,4})$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= (allowEphemeral ? 0 : 1) && port <= 65535)) {
    throw expected(`${FORM}: PORT ${allowEphemeral ? 0 : 1}-65535`, name, text);
  }
  return { host, port };
}

/** The address as parseSummonAddress reads it back. */
export function formatSummonAddress(a: SummonAddress): string {
  return `tcp:${isIPv6(a.host) ? `[${a.host}]` : a.host}:${a.port}`;
}
