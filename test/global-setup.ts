// global-setup.ts: fails fast, with one clear line, when the native parts the tests run are not built.
import { existsSync } from 'node:fs';
import { packagePath } from '../src/package/paths.js';

const REQUIRED = [
  'build/Release/nabla_native.node',
  'build/tenders/bin/nabla-spt',
  'build/tenders/bin/elf-check',
  'build/tenders/bin/plan-layout',
  'build/tenders/bin/seccomp-dump',
  'build/tenders/bin/syscall-trace',
  'dist/cli/nabla-run.js',
  'build/examples/hello.nabla',
  'build/examples/blk.nabla',
  'build/test-guests/sleeper.nabla',
  'build/conformance/hello.nabla',
  'build/hosted/hello',
  'build/hosted/ping',
];

export default function setup(): void {
  const missing = REQUIRED.filter((path) => !existsSync(packagePath(path)));
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.join(', ')} — run \`npm run build\` first`);
  }
}
