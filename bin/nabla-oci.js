#!/usr/bin/env node
// nabla-oci: the runc-compatible OCI runtime for containerd (thin entry point; the work is in dist/oci).
'use strict';
/*
 * containerd's shim runs nabla-oci four times or more for every container (create, start, kill,
 * delete, delete --force), so start-up is on a pod's critical path: as for nabla-run, one
 * CommonJS bundle from V8's code cache (cached-bundle.js says how), no ES-module graph of yargs
 * and zod to load and compile on every call.
 */
const { join } = require('node:path');
const { cachedBundle } = require('./cached-bundle.js');

const entry = cachedBundle(
  join(__dirname, '../dist/oci/nabla-oci.bundle.cjs'),
  join(__dirname, '../dist/oci/nabla-oci.bundle.v8cache'),
);

/** Loads the bundle; `cache` says whether V8's code cache was used, refused or absent. */
function loadBundle() {
  const { exports, cache } = entry.load();
  return { main: exports.main, cache };
}

if (require.main === module) {
  loadBundle()
    .main(process.argv.slice(2))
    .then((status) => {
      process.exitCode = status;
    });
} else {
  // For scripts/code-cache.mjs and the tests.
  const { BUNDLE, CACHE, bundleStamp, compileBundle } = entry;
  module.exports = { BUNDLE, CACHE, bundleStamp, compileBundle, loadBundle };
}
