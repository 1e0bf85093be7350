// paths.ts: where tests find the built tender, tools, guests and CLI (the package's paths, src/package/paths.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT, PACKAGE_ROOT } from '../../src/package/paths.js';

export {
  BUILT,
  example,
  hostedExample as hosted,
  NABLA,
  NABLA_OCI,
  NABLA_RUN,
  tool,
} from '../../src/package/paths.js';
/** The package root, with a trailing slash. */
export const ROOT = PACKAGE_ROOT;
export const guest = (name: string) => join(BUILT.testGuests, `${name}.nabla`);

export function scratchDir(prefix = 'nabla-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
