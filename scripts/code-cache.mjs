// code-cache.mjs: writes V8's code cache for a CLI's bundle (`npm run build:ts` runs it after rolldown): nabla-run's, or the entry point given (bin/nabla-oci.js).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';

const entry = process.argv[2] === undefined ? '../bin/nabla-run.js' : `../${process.argv[2]}`;
const { BUNDLE, CACHE, bundleStamp, compileBundle } = createRequire(import.meta.url)(entry);

// V8 compiles a function only when it is first called, and a cache holds only what was compiled.
// Compiling eagerly (--no-lazy) puts every function of the bundle in it, the exec path included;
// --lazy is set back before the cache is written, since V8 refuses a cache made under other
// flags than the ones it runs with.
setFlagsFromString('--no-lazy');
const script = compileBundle(readFileSync(BUNDLE, 'utf8'), undefined);
setFlagsFromString('--lazy');
writeFileSync(CACHE, Buffer.concat([bundleStamp(), script.createCachedData()]));
