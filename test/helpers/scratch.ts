// scratch.ts: a per-suite scratch directory with sparse disk images and written files, removed afterwards.
import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { scratchDir } from './paths.js';

export interface Scratch {
  dir: string;
  /** A sparse file of `bytes` bytes (a block device image). */
  disk(name: string, bytes: number): string;
  /** A file holding exactly `content`. */
  file(name: string, content: Buffer | string): string;
}

/** Call at the top of a test file: the directory is removed after the file's tests. */
export function useScratch(): Scratch {
  const dir = scratchDir();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    disk(name, bytes) {
      const path = join(dir, name);
      writeFileSync(path, '');
      truncateSync(path, bytes);
      return path;
    },
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}
