// write-daemon-api.mjs: regenerates docs/daemon-api.json, the daemon API's OpenAPI document, from the route table (after `npm run build:ts`).
import { readFileSync, writeFileSync } from 'node:fs';
import { openApiDocument } from '../dist/daemon/openapi.js';
import { PACKAGE_JSON, PACKAGE_ROOT } from '../dist/package/paths.js';

const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
const target = `${PACKAGE_ROOT}docs/daemon-api.json`;
writeFileSync(target, `${JSON.stringify(openApiDocument(version), null, 2)}\n`);
console.log(`wrote ${target}`);
