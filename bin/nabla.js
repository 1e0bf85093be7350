#!/usr/bin/env node
// nabla: the nabla command family (thin entry point; the work is in dist/cli).
import { main } from '../dist/cli/nabla.js';
import { processArguments } from '../dist/cli/raw-argv.js';

// The arguments as bytes (KERNEL, --block paths and guest arguments need not be UTF-8).
const args = processArguments('nabla');
process.exitCode = args === null ? 1 : await main(args);
