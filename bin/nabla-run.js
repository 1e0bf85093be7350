#!/usr/bin/env node
// nabla-run: Solo5 spt-compatible unikernel runner (thin entry point; the work is in dist/cli).
import { main } from '../dist/cli/nabla-run.js';

process.exitCode = main(process.argv.slice(2));
