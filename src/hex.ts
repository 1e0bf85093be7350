// hex.ts: a number in hexadecimal as the tender prints it in its messages, and as notes and reports show it.

/** Lowercase, 0x prefix, no padding: 0x10000. */
export function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`;
}
