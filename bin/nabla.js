#!/usr/bin/env node
// nabla: the nabla command family (thin entry point; the work is in dist/cli).
// CommonJS like every file in bin/ (bin/package.json); the command family is ES modules.
Promise.all([import('../dist/cli/nabla.js'), import('../dist/cli/raw-argv.js')]).then(
  async ([{ main }, { processArguments }]) => {
    // The arguments as bytes (KERNEL, --block paths and guest arguments need not be UTF-8).
    const args = processArguments('nabla');
    process.exitCode = args === null ? 1 : await main(args);
  },
);
