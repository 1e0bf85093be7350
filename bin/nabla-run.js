#!/usr/bin/env node
// nabla-run: Solo5 spt-compatible unikernel runner (thin entry point; the work is in dist/cli).
// It loads one bundled file: resolving ~25 ES modules one by one costs more than the rest of a run.
import { main } from '../dist/cli/nabla-run.bundle.js';

process.exitCode = main(process.argv.slice(2));
