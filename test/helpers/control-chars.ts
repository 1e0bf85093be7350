// control-chars.ts: the control characters (C0, DEL, C1) in text a terminal would receive.

/** Each control character in `text` (decoded as UTF-8 when bytes), as "U+001B at 4". */
export function controlChars(text: string | Uint8Array): string[] {
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  const found: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x0a : c >= 0x7f && c <= 0x9f) {
      found.push(`U+${c.toString(16).padStart(4, '0').toUpperCase()} at ${i}`);
    }
  }
  return found;
}
