// write-manifest-schema.mjs: regenerates sdk/manifest.schema.json from the zod schema (after `npm run build:ts`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_DIR } from '../dist/package/paths.js';
import { manifestJsonSchema } from '../dist/toolchain/manifest.js';

const target = join(SDK_DIR, 'manifest.schema.json');
writeFileSync(target, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
