#!/usr/bin/env node
// nabla-oci: the runc-compatible OCI runtime for containerd (thin entry point; the work is in dist/oci).
'use strict';
/*
 * containerd's shim runs nabla-oci four times or more for every container (create, start, kill,
 * delete, delete --force), so start-up is on a pod's critical path. As for nabla-run, the work
 * is one CommonJS bundle (dist/oci/nabla-oci.bundle.cjs, made by `npm run build:ts` with
 * rolldown) compiled from V8's code cache beside it (scripts/code-cache.mjs): no ES-module graph
 * of yargs and zod to load and compile on every call. A cache that is missing, stale or refused
 * only costs the compilation it would have saved.
 */
const { readFileSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '../dist/oci/nabla-oci.bundle.cjs');
const CACHE = join(__dirname, '../dist/oci/nabla-oci.bundle.v8cache');
/** Size and mtime of the bundle the cache was made from, ahead of V8's data in the cache file. */
const STAMP_BYTES = 16;

function bundleStamp() {
  const st = statSync(BUNDLE, { bigint: true });
  const stamp = Buffer.alloc(STAMP_BYTES);
  stamp.writeBigUInt64LE(st.size, 0);
  stamp.writeBigUInt64LE(st.mtimeNs, 8);
  return stamp;
}

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

function compileBundle(source, data) {
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  return new Script(wrapped, { filename: BUNDLE, cachedData: data });
}

function loadBundle() {
  const data = cachedData();
  const script = compileBundle(readFileSync(BUNDLE, 'utf8'), data);
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, require, bundle, BUNDLE, dirname(BUNDLE));
  const cache = data === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { main: bundle.exports.main, cache };
}

if (require.main === module) {
  loadBundle()
    .main(process.argv.slice(2))
    .then((status) => {
      process.exitCode = status;
    });
} else {
  // For scripts/code-cache.mjs and the tests.
  module.exports = { BUNDLE, CACHE, bundleStamp, compileBundle, loadBundle };
}
