// tender-path.ts: where the built tender lives (build/tenders/bin/nabla-spt under the package root).
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NablaError } from '../errors.js';

/** Package root: this file is src/launch/ (tests) or dist/launch/ (built), two levels down. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function tenderPath(): string {
  const path = process.env.NABLA_TENDER ?? `${PACKAGE_ROOT}build/tenders/bin/nabla-spt`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new NablaError(
      `tender not found or not executable: ${path} (run \`npm run build:tender\`)`,
    );
  }
  return path;
}
