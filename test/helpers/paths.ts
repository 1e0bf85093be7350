// paths.ts: where tests find the built tender, tools, guests and CLI.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TENDER_BIN = join(ROOT, 'build/tenders/bin');
export const NABLA_RUN = join(ROOT, 'bin/nabla-run.js');
export const NABLA = join(ROOT, 'bin/nabla.js');
export const guest = (name: string) => join(ROOT, 'build/test-guests', `${name}.nabla`);
export const example = (name: string) => join(ROOT, 'build/examples', `${name}.nabla`);
export const hosted = (name: string) => join(ROOT, 'build/hosted', name);
export const tool = (name: string) => join(TENDER_BIN, name);

export function scratchDir(prefix = 'nabla-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
