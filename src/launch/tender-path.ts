// tender-path.ts: the tender to run: $NABLA_TENDER, or the one the build made (src/package/paths.ts), if executable.
import { accessSync, constants } from 'node:fs';
import { NablaError } from '../errors.js';
import { TENDER } from '../package/paths.js';

export function tenderPath(): string {
  const path = process.env.NABLA_TENDER ?? TENDER;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new NablaError(
      `tender not found or not executable: ${path} (run \`npm run build:tender\`)`,
      { code: 'TENDER_FAILED' },
    );
  }
  return path;
}
