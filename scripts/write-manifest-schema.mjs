// write-manifest-schema.mjs: regenerates sdk/manifest.schema.json from the zod schema (after `npm run build:ts`).
import { writeFileSync } from 'node:fs';
import { manifestJsonSchema } from '../dist/toolchain/manifest.js';

const target = new URL('../sdk/manifest.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
