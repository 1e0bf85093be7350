#!/usr/bin/env node
// nabla: the nabla command family (thin entry point; the work is in dist/cli).
import { main } from '../dist/cli/nabla.js';

process.exitCode = await main(process.argv.slice(2));
