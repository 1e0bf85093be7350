// corpus.test.ts: the committed fuzz seeds are exactly what corpus.ts makes (NABLA_FUZZ_WRITE_CORPUS=1 rewrites them).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMITTED, CORPUS_DIR, corpusSeeds } from './corpus.js';

const WRITE = process.env.NABLA_FUZZ_WRITE_CORPUS === '1';
const seeds = corpusSeeds();

describe('fuzz seeds (tenders/fuzz/corpus)', () => {
  it.each(COMMITTED)('%s: the committed seeds are current', (harness) => {
    const dir = join(CORPUS_DIR, harness);
    const wanted = new Map(seeds[harness]);
    expect(wanted.size).toBe(seeds[harness].length); // names are unique
    if (WRITE) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of wanted) writeFileSync(join(dir, name), bytes);
    }
    const present = readdirSync(dir).sort();
    const stale = present.filter(
      (name) => !wanted.get(name)?.equals(readFileSync(join(dir, name))),
    );
    const missing = [...wanted.keys()].filter((name) => !present.includes(name));
    // When this fails after a format change: scripts/fuzz.sh corpus, then commit the seeds.
    expect({ stale, missing }).toEqual({ stale: [], missing: [] });
  });

  it('covers every check of docs/elf-validation.md (1-31) with an ELF seed', () => {
    const rows = new Set(
      seeds.elf.flatMap(([name]) => {
        const m = /^check-(\d+)-/.exec(name);
        return m ? [Number(m[1])] : [];
      }),
    );
    expect([...rows].sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });
});
