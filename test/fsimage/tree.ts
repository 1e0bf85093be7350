// tree.ts: the directory tree the fs image tests pack (nested, empty, several MiB, spaces), and what GNU tar should list for it.
import { createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic bytes (no randomness in tests): a counter through sha256, `n` bytes. */
export function bytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let at = 0, i = 0; at < n; i++)
    at += createHash('sha256').update(`${seed}:${i}`).digest().copy(out, at);
  return out;
}

export interface TreeEntry {
  /** The archive name (a directory's ends in /). */
  name: string;
  /** A file's content; undefined for a directory. */
  content?: Buffer;
  executable?: boolean;
}

/** 5 MiB + 123 bytes: several MiB, and not a whole number of 512- or 4096-byte blocks. */
export const BIG = 5 * 1024 * 1024 + 123;

export const TREE: TreeEntry[] = [
  { name: 'index.html', content: Buffer.from('<h1>hello</h1>\n') },
  { name: 'empty', content: Buffer.alloc(0) },
  { name: 'run.sh', content: Buffer.from('#!/bin/sh\necho hi\n'), executable: true },
  { name: 'css/' },
  { name: 'css/site.css', content: Buffer.from('body { color: red }\n') },
  { name: 'media/' },
  { name: 'media/big.bin', content: bytes(BIG, 'big') },
  { name: 'media/odd 4097.bin', content: bytes(4097, 'odd') },
  { name: 'media/one block.bin', content: bytes(512, 'one') },
  { name: 'with space/' },
  { name: 'with space/a b c.txt', content: Buffer.from('spaces\n') },
  { name: 'deep/' },
  { name: 'deep/er/' },
  { name: 'deep/er/still/' },
  { name: 'deep/er/still/leaf.txt', content: Buffer.from('leaf\n') },
  { name: 'empty dir/' },
];

/** A fixed modification time for every entry, so listings can be compared with it. */
export const MTIME = 1_700_000_000; // 2023-11-14 22:13:20 UTC

/** Writes TREE under `root` (which must exist), files before their directories' times are set. */
export function writeTree(root: string): void {
  for (const e of TREE) {
    const path = join(root, e.name);
    if (e.content === undefined) mkdirSync(path, { recursive: true });
    else writeFileSync(path, e.content, { mode: e.executable ? 0o755 : 0o644 });
  }
  // Deepest first: setting a directory's times after its files were written keeps them.
  for (const e of [...TREE].reverse()) utimesSync(join(root, e.name), MTIME, MTIME);
}

/** TREE's names in archive order: sorted by bytes, so each directory comes before its contents. */
export const SORTED_NAMES = TREE.map((e) => e.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
