// cached-bundle.js: loads a CLI's one CommonJS bundle compiled from V8's code cache beside it (nabla-run's and nabla-oci's entry points).
'use strict';
/*
 * Start-up is most of a short command's time, so the entry points keep Node's own work to a
 * minimum: they are CommonJS (bin/package.json), as is the one bundle they load, so Node's
 * ES-module loader (and the streams its node:fs facade pulls in) never starts; and the bundle is
 * compiled from V8's code cache, written beside it by `npm run build:ts`
 * (scripts/code-cache.mjs). A cache that is missing, stale (the bundle's size or mtime changed)
 * or refused by V8 (another Node, other flags) only costs the compilation it would have saved.
 */
const { readFileSync, statSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/** Size and mtime of the bundle the cache was made from, ahead of V8's data in the cache file. */
const STAMP_BYTES = 16;

/** The loader of the bundle at BUNDLE whose cache is at CACHE. */
function cachedBundle(BUNDLE, CACHE) {
  /** The bundle's identity as the cache file records it: size and mtime in nanoseconds. */
  function bundleStamp() {
    const st = statSync(BUNDLE, { bigint: true });
    const stamp = Buffer.alloc(STAMP_BYTES);
    stamp.writeBigUInt64LE(st.size, 0);
    stamp.writeBigUInt64LE(st.mtimeNs, 8);
    return stamp;
  }

  /** V8's data for the current bundle, or undefined (no cache, or one made for another bundle). */
  function cachedData() {
    let file;
    try {
      file = readFileSync(CACHE);
    } catch {
      return undefined;
    }
    const stamp = file.subarray(0, STAMP_BYTES);
    return stamp.equals(bundleStamp()) ? file.subarray(STAMP_BYTES) : undefined;
  }

  /** Compiles the bundle as CommonJS does (the same wrapper's parameters), with V8's cache if given. */
  function compileBundle(source, data) {
    const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
    return new Script(wrapped, { filename: BUNDLE, cachedData: data });
  }

  /** Runs the bundle: its exports, and whether V8's code cache was used, refused or absent. */
  function load() {
    const data = cachedData();
    const script = compileBundle(readFileSync(BUNDLE, 'utf8'), data);
    const bundle = { exports: {} };
    script.runInThisContext()(bundle.exports, require, bundle, BUNDLE, dirname(BUNDLE));
    const cache = data === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
    return { exports: bundle.exports, cache };
  }

  return { BUNDLE, CACHE, bundleStamp, compileBundle, load };
}

module.exports = { cachedBundle };
