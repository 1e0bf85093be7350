// libfuzzer.test.ts: builds the libFuzzer harnesses, replays every seed and regression, and fuzzes each briefly.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectUnikernel } from '../../src/elf/unikernel.js';
import { NablaError } from '../../src/errors.js';
import { ROOT, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { CORPUS_DIR, HARNESSES, type Harness } from './corpus.js';
import { planSeeds } from './plan-seeds.js';

/**
 * Seconds per harness of the smoke run in `npm test` (NABLA_FUZZ_SECONDS=60 for a longer one);
 * the long runs are `scripts/fuzz.sh run --hours N` (tenders/fuzz/README.md).
 */
const SECONDS = Number(process.env.NABLA_FUZZ_SECONDS ?? 5);
const FUZZ = join(ROOT, 'scripts/fuzz.sh');
const BIN = join(ROOT, 'build/fuzz/bin');
const SEEDS = join(ROOT, 'build/fuzz/seeds');
const REGRESSIONS = join(ROOT, 'tenders/fuzz/regressions');
const scratch = useScratch();

function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
}

/** Runs one harness once on each file; returns its status and each file's verdict line. */
function replay(harness: Harness, files: string[]) {
  const result = spawnSync(join(BIN, `fuzz-${harness}`), ['-timeout=10', ...files], {
    encoding: 'utf8',
    env: { ...process.env, NABLA_FUZZ_VERBOSE: '1' },
    maxBuffer: 64 << 20,
  });
  // libFuzzer prints "Running: FILE", then the harness its verdict, then "Executed FILE".
  const verdicts = new Map<string, string>();
  let current: string | undefined;
  for (const line of result.stderr.split('\n')) {
    const running = /^Running: (.*)$/.exec(line);
    if (running) current = running[1];
    const verdict = /^fuzz_\w+: (accepted|refused)/.exec(line);
    if (verdict && current !== undefined) verdicts.set(current, verdict[1] as string);
  }
  return { status: result.status, stderr: result.stderr, verdicts };
}

/** fuzz_elf.c's guest memory: the checks depend on it (rows 14, 20 and 21). */
const FUZZ_MEM_SIZE = 4n << 20n;

/**
 * The TypeScript checker and the tender's (elf-check) on every file of a corpus: the inputs
 * libFuzzer kept are the ones that reached new code in C, the best sample for a difference.
 * Returns the files on which the two lines differ.
 */
function disagreements(dir: string): string[] {
  const differ: string[] = [];
  for (const file of filesIn(dir)) {
    let ts: string;
    const fd = openSync(file, 'r');
    try {
      const u = inspectUnikernel(file, fd, FUZZ_MEM_SIZE);
      ts = `ok entry=0x${u.entry.toString(16)} kernel_end=0x${u.kernelEnd.toString(16)} devices=${u.manifest.devices.length}`;
    } catch (error) {
      if (!(error instanceof NablaError)) throw error;
      ts = error.message;
    } finally {
      closeSync(fd);
    }
    const c = spawnSync(tool('elf-check'), [file, String(FUZZ_MEM_SIZE)], { encoding: 'utf8' });
    const line = c.status === 0 ? c.stdout.trim() : c.stderr.trim().replace(/^elf-check: /, '');
    if (line !== ts) differ.push(`${file}\n  C:  ${line}\n  TS: ${ts}`);
  }
  return differ;
}

beforeAll(() => {
  const built = spawnSync('bash', [FUZZ, 'build'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`scripts/fuzz.sh build failed:\n${built.stderr}`);
  const dir = join(SEEDS, 'plan');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of planSeeds(scratch)) writeFileSync(join(dir, name), bytes);
}, 300_000);

describe('libFuzzer harnesses (tenders/fuzz)', () => {
  it('plan seeds are written from prepare() for the current plan format', () => {
    expect(filesIn(join(SEEDS, 'plan')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(HARNESSES)(
    '%s: every seed and regression fixture replays cleanly, with its verdict',
    (harness) => {
      const seeds = [...filesIn(join(CORPUS_DIR, harness)), ...filesIn(join(SEEDS, harness))];
      const files = [...seeds, ...filesIn(join(REGRESSIONS, harness))];
      expect(seeds.length).toBeGreaterThan(0);
      const { status, stderr, verdicts } = replay(harness, files);
      expect(status, stderr.slice(-4000)).toBe(0);
      for (const file of seeds) {
        const name = file.slice(file.lastIndexOf('/') + 1);
        // valid-* are what the orchestrator makes; check-* each break one documented rule.
        const expected = name.startsWith('valid-') ? 'accepted' : 'refused';
        expect(`${name}: ${verdicts.get(file)}`).toBe(`${name}: ${expected}`);
      }
    },
  );

  it.each(HARNESSES)(
    `%s: ${SECONDS} s of fuzzing finds no crash, leak, hang or broken invariant`,
    (harness) => {
      const work = join(scratch.dir, 'work');
      const result = spawnSync(
        'bash',
        [FUZZ, 'run', '--seconds', String(SECONDS), '--work', work, harness],
        { encoding: 'utf8' },
      );
      const line = result.stdout.trim().split('\n').pop() ?? '';
      // The figures of docs/security.md: executions, rate and corpus size of this run.
      console.log(line);
      expect(result.status, `${line}\n${result.stderr}`).toBe(0);
      expect(line).toMatch(
        new RegExp(`^fuzz-${harness}: [1-9]\\d* executions .* corpus [1-9]\\d* inputs.*, ok$`),
      );
      if (harness === 'elf') {
        // What this run kept, then the committed seeds and regressions: a short run keeps few.
        const dirs = [
          join(work, 'corpus', 'elf'),
          join(CORPUS_DIR, 'elf'),
          join(REGRESSIONS, 'elf'),
        ];
        const inputs = dirs.map((dir) => filesIn(dir).length);
        console.log(`elf: TypeScript and C compared on ${inputs.join(' + ')} inputs`);
        expect(dirs.flatMap(disagreements)).toEqual([]);
      }
    },
    (SECONDS + 180) * 1000,
  );
});
