#!/usr/bin/env node
// nabla: the nabla command family (thin entry point; the work is in dist/cli).
// CommonJS like every file in bin/ (bin/package.json); the command family is ES modules.
import('../dist/cli/nabla.js').then(async ({ main }) => {
  process.exitCode = await main(process.argv.slice(2));
});
