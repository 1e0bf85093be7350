// code-cache.mjs: writes V8's code cache for nabla-run's bundle (`npm run build:ts` runs it after rolldown).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

const { BUNDLE, CACHE, bundleStamp, compileBundle } = createRequire(import.meta.url)(
  '../bin/nabla-run.js',
);

// V8 compiles a function only when it is first called, and a cache holds only what was compiled.
// Compiling eagerly (--no-lazy) puts every function of the bundle in it, the exec path included;
// --lazy is set back before the cache is written, since V8 refuses a cache made under other
// flags than the ones it runs with.
setFlagsFromString('--no-lazy');
const script = compileBundle(readFileSync(BUNDLE, 'utf8'), undefined);
setFlagsFromString('--lazy');
writeFileSync(CACHE, Buffer.concat([bundleStamp(), script.createCachedData()]));
