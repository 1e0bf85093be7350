#!/usr/bin/env node
// nabla-run: Solo5 spt-compatible unikernel runner (thin entry point; the work is in dist/cli).
'use strict';
// Start-up is most of a run: one CommonJS bundle from V8's code cache (cached-bundle.js says how).
const { join } = require('node:path');
const { cachedBundle } = require('./cached-bundle.js');

const entry = cachedBundle(
  join(__dirname, '../dist/cli/nabla-run.bundle.cjs'),
  join(__dirname, '../dist/cli/nabla-run.bundle.v8cache'),
);

/** Loads the bundle; `cache` says whether V8's code cache was used, refused or absent. */
function loadBundle() {
  const { exports, cache } = entry.load();
  return { main: exports.main, processArguments: exports.processArguments, cache };
}

if (require.main === module) {
  const { main, processArguments } = loadBundle();
  // The arguments as bytes (KERNEL, --block paths and guest arguments need not be UTF-8).
  const args = processArguments('nabla-run');
  process.exitCode = args === null ? 1 : main(args);
} else {
  // For scripts/code-cache.mjs and the tests.
  const { BUNDLE, CACHE, bundleStamp, compileBundle } = entry;
  module.exports = { BUNDLE, CACHE, bundleStamp, compileBundle, loadBundle };
}
