// paths.ts: where the package's own files are: its root, the addon, the tender and its tools, the SDK, built guests.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * This module runs as src/package/paths.ts (vitest), as dist/package/paths.js (tsc) and inside
 * dist/cli/nabla-run.bundle.cjs (rolldown), where import.meta.url is the bundle's own URL. All
 * three are two levels below the package root, which is why this file sits in a folder of its
 * own: moved one level up, the bundle would find its root in dist/.
 */
/** The package root, with a trailing slash. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A path inside the package. */
export const packagePath = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts);

export const PACKAGE_JSON = packagePath('package.json');
/** The CLIs' entry points. */
export const NABLA_RUN = packagePath('bin/nabla-run.js');
export const NABLA = packagePath('bin/nabla.js');
/** The OCI runtime containerd's runc v2 shim runs (docs/oci.md). */
export const NABLA_OCI = packagePath('bin/nabla-oci.js');

/** Where node-gyp puts the addon, tried in this order; the first that loads is used. */
export const ADDON_CANDIDATES: readonly string[] = [
  packagePath('build/Release/nabla_native.node'),
  packagePath('build/Debug/nabla_native.node'),
];

/** The tender (nabla-spt) and the C tools beside it (syscall-trace, elf-check, ...). */
const TENDER_BIN = packagePath('build/tenders/bin');
export const TENDER = join(TENDER_BIN, 'nabla-spt');
export const tool = (name: string): string => join(TENDER_BIN, name);

/** The guest SDK (C), the contract headers guests include, and the SDK's compiled runtimes. */
export const SDK_DIR = packagePath('sdk');
export const TENDER_INCLUDE = packagePath('tenders/include');
export const SDK_CACHE = packagePath('build/sdk');

/** Reference data the audit and the benchmarks compare with (upstream's and Docker's filters). */
export const DATA_DIR = packagePath('data');

/** Where `npm run build:guests` (scripts/build-guests.mjs) puts each group of guests. */
export const BUILT = {
  examples: packagePath('build/examples'),
  /** The examples as plain Linux executables (the hosted target). */
  hosted: packagePath('build/hosted'),
  testGuests: packagePath('build/test-guests'),
  conformance: packagePath('build/conformance'),
  security: packagePath('build/security'),
  bench: packagePath('build/bench'),
  benchHosted: packagePath('build/bench-hosted'),
  /** nabla-oci's own guests (src/oci/guests): the pod sandbox. */
  oci: packagePath('build/oci'),
} as const;

/** An example unikernel (examples/NAME), and the same example built for the hosted target. */
export const example = (name: string): string => join(BUILT.examples, `${name}.nabla`);
export const hostedExample = (name: string): string => join(BUILT.hosted, name);
/** A benchmark guest (benchmarks/guests/NAME), as a unikernel and as its hosted twin. */
export const benchGuest = (name: string): string => join(BUILT.bench, `${name}.nabla`);
export const benchHosted = (name: string): string => join(BUILT.benchHosted, name);

/** lwIP's source tree, as scripts/fetch-lwip.sh unpacks Debian's source package (issue 12). */
export const LWIP_VERSION = '2.1.3';
export const LWIP_DIR = packagePath(`build/lwip/lwip-${LWIP_VERSION}`);
