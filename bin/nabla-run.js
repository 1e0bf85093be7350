#!/usr/bin/env node
// nabla-run: Solo5 spt-compatible unikernel runner (thin entry point; the work is in dist/cli).
// It loads one bundled file: resolving ~25 ES modules one by one costs more than the rest of a run.
import { main, processArguments } from '../dist/cli/nabla-run.bundle.js';

// The arguments as bytes (KERNEL, --block paths and guest arguments need not be UTF-8).
const args = processArguments('nabla-run');
process.exitCode = args === null ? 1 : main(args);
