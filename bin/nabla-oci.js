#!/usr/bin/env node
// nabla-oci: the runc-compatible OCI runtime for containerd (thin entry point; the work is in dist/oci).
import('../dist/oci/cli.js').then(async ({ main }) => {
  process.exitCode = await main(process.argv.slice(2));
});
