// suggest.ts: "did you mean" for a mistyped command or option: the nearest known word by edit distance.

/**
 * Edit distance counting insertions, deletions, substitutions and a swap of two neighbours
 * as one edit each (optimal string alignment): `biuld` is one edit from `build`, as a
 * reader sees it, where plain Levenshtein counts two.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between a's first i and b's first j characters.
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known word closest to `word`, when it is close enough to be a slip of the keyboard:
 * one edit for words of 3 or 4 characters (dashes aside), two for longer ones, none for
 * shorter ones (beyond that, a suggestion is more often wrong than helpful). Ties go to the
 * earlier candidate. Compared without case.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const typed = word.toLowerCase();
  // Leading dashes are the same in the word and the options it is compared with.
  const length = typed.replace(/^-+/, '').length;
  if (length < 3) return undefined; // one edit from "c" is every one-letter word
  const limit = length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(typed, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** " (did you mean X?)" or nothing: the tail of an "Unknown ..." message. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}
