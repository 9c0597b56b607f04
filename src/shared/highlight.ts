// Word splitting and term folding shared by the engine's search index and the tabs' highlighter, so
// that what the index matched is exactly what the page marks.
//
// Words are runs of Unicode letters, combining marks and digits. Terms are lowercased and have their
// diacritics folded away (NFD, then combining marks dropped): "Café" and "cafe" are the same term, so
// a user who types without accents still finds accented words. The cost is that "resume" and
// "résumé" cannot be told apart, which a personal collection rarely needs.

export interface Segment {
  text: string;
  match: boolean;
}

/** The terms of a text, in order, with repeats: what the index stores and what a query asks for. */
export function searchTerms(text: string): string[] {
  const folded = foldText(text);
  return folded.match(WORD) ?? [];
}

/** One word (or any text) lowercased with diacritics removed. */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  // Most text is ASCII; skip the Unicode normalization pass there (it dominates indexing time).
  return NON_ASCII.test(lower) ? lower.normalize('NFD').replace(MARKS, '') : lower;
}

/**
 * Splits `text` into segments, marking every word that starts with one of `terms` (compared folded,
 * as the index compares them): the term "alp" marks "Alp" in "Alpha". Only the matching start of a
 * word is marked, with the longest matching term winning, so marks never overlap; joining the
 * segments' text gives back `text` exactly.
 */
export function highlightSegments(text: string, terms: readonly string[]): Segment[] {
  const wanted = [...new Set(terms.flatMap(searchTerms))].sort((a, b) => b.length - a.length);
  const segments: Segment[] = [];
  const push = (part: string, match: boolean): void => {
    if (part === '') return;
    const last = segments[segments.length - 1];
    if (last && last.match === match) last.text += part;
    else segments.push({ text: part, match });
  };
  if (wanted.length === 0) {
    push(text, false);
    return segments;
  }
  let done = 0;
  for (const found of text.matchAll(RAW_WORD)) {
    const word = found[0];
    const start = found.index;
    const length = matchedLength(word, wanted);
    if (length === 0) continue;
    push(text.slice(done, start), false);
    push(word.slice(0, length), true);
    done = start + length;
  }
  push(text.slice(done), false);
  return segments;
}

/** Words in original text: letters and digits, with any combining marks that follow them. */
const RAW_WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
/** Words in folded text (marks are already gone). */
const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;
/** A user-perceived character, near enough: one code point and the marks that follow it. */
const UNIT = /\P{M}\p{M}*/gu;

/**
 * How many UTF-16 units at the start of `word` the longest matching term covers, or 0. Folding can
 * change lengths ("É" is one unit, its folded "e" too, but a decomposed "e\u0301" is two), so the
 * cut is found by folding growing prefixes of whole characters until the term is covered.
 */
function matchedLength(word: string, wantedLongestFirst: readonly string[]): number {
  const folded = foldText(word);
  const term = wantedLongestFirst.find((t) => folded.startsWith(t));
  if (term === undefined) return 0;
  if (term.length === folded.length) return word.length;
  for (const unit of word.matchAll(UNIT)) {
    const cut = unit.index + unit[0].length;
    if (foldText(word.slice(0, cut)).length >= term.length) return cut;
  }
  return word.length;
}
