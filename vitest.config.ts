// vitest.config.ts: `npm test` runs both projects; `npm run test:unit` only the one that needs no build.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/*
 * unit: TypeScript logic alone, in seconds, in a fresh clone without `npm run build`: no native
 * addon, no tender or tools, no guests, no root (test/unit-setup.ts makes reaching for any of
 * them fail). A compiler is fine (the SDK's own build is tested from source). Everything else is
 * integration: it runs the real addon, tender, seccomp filter and guests, after global-setup.ts
 * has checked that they are built. A new test file is integration until it is listed here.
 */
const UNIT = [
  'test/audit/footprint.test.ts',
  'test/bench/output.test.ts',
  'test/bench/procs.test.ts',
  'test/bench/runner.test.ts',
  'test/bench/stats.test.ts',
  'test/cli/spt-args.test.ts',
  'test/daemon/limits/host-layout.test.ts',
  'test/daemon/summon/address.test.ts',
  'test/daemon/summon/front.test.ts',
  'test/daemon/summon/wire.test.ts',
  'test/daemon/log-ring.test.ts',
  'test/daemon/restart-policy.test.ts',
  'test/fuzz/corpus.test.ts',
  'test/launch/privilege.test.ts',
  'test/oci/bundle.test.ts',
  'test/policy/rules.test.ts',
  'test/run-syntax.test.ts',
  'test/toolchain/build.test.ts',
  'test/toolchain/hosted-manifest.test.ts',
  'test/toolchain/manifest-schema.test.ts',
  'test/toolchain/manifest.test.ts',
  'test/toolchain/notes.test.ts',
  'test/unit-setup.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Vitest's default is one worker per core but one, so a single worker on 2 cores. One per
    // core: most files wait on the processes they start, but the suites that load the machine
    // (containerd, 1,000-connection rounds, daemons with 1,000 guests) grew, and with one file
    // more than cores, tests with a time in them began to fail now and then on a 2-core CI.
    maxWorkers: availableParallelism(),
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, setupFiles: ['test/unit-setup.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
