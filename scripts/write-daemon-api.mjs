// write-daemon-api.mjs: regenerates docs/daemon-api.json, the daemon API's OpenAPI document, from the route table (after `npm run build:ts`).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { openApiDocument } from '../dist/daemon/openapi.js';
import { PACKAGE_JSON, PACKAGE_ROOT } from '../dist/package/paths.js';

const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8'));
const target = `${PACKAGE_ROOT}docs/daemon-api.json`;
writeFileSync(target, `${JSON.stringify(openApiDocument(version), null, 2)}\n`);
// Laid out as the linter wants it (npm run lint checks every JSON file).
execFileSync(`${PACKAGE_ROOT}node_modules/.bin/biome`, ['format', '--write', target], {
  stdio: 'ignore',
});
console.log(`wrote ${target}`);
