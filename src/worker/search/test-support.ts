// Helpers shared by the search index tests.

import { expect } from 'vitest';
import type { IndexedDoc, SearchOutcome } from './search-index.ts';
import { SearchIndex, itemKey } from './search-index.ts';

export function doc(
  collectionId: string,
  itemId: string,
  title: string,
  body = '',
  tags: string[] = [],
): IndexedDoc {
  return { key: itemKey(collectionId, itemId), collectionId, itemId, title, tags, body };
}

export function indexOf(docs: readonly IndexedDoc[]): SearchIndex {
  const index = new SearchIndex();
  for (const d of docs) index.upsert(d);
  return index;
}

export function keys(outcome: SearchOutcome): string[] {
  return outcome.hits.map((h) => itemKey(h.collectionId, h.itemId));
}

export function keySet(outcome: SearchOutcome): string[] {
  return keys(outcome).sort();
}

/** Words with prefix and one-edit neighbours among them, so every kind of match occurs. */
export const VOCAB = [
  'amber',
  'amberly',
  'ambient',
  'birch',
  'birches',
  'cedar',
  'cedars',
  'delta',
  'dealt',
  'ember',
  'embers',
  'fable',
  'garnet',
  'garnets',
  'harbor',
  'harbour',
];

/** Queries over VOCAB: whole words, prefixes, typos and two-word queries. */
export const PROBES = [
  ...VOCAB,
  ...VOCAB.map((w) => w.slice(0, 3)),
  ...VOCAB.map((w) => w.slice(0, 4)),
  ...VOCAB.map((w) => `${w[0]}q${w.slice(2)}`),
  ...VOCAB.map((w, i) => `${w} ${VOCAB[(i * 5 + 3) % VOCAB.length]!.slice(0, 3)}`),
  'nothing',
];

export const PROBE_OPTIONS = [
  {},
  { limit: 2 },
  { limit: 0 },
  { collectionId: 'c1' },
  { tag: 'x' },
  { collectionId: 'c2', tag: 'y', limit: 1 },
];

/** Everything `actual` answers is what `expected` answers: hits (with scores and terms), totals, facets. */
export function expectSameResults(actual: SearchIndex, expected: SearchIndex): void {
  expect(actual.size).toBe(expected.size);
  for (const query of PROBES) {
    for (const options of PROBE_OPTIONS) {
      expect(actual.search(query, options), `${query} ${JSON.stringify(options)}`).toEqual(
        expected.search(query, options),
      );
    }
  }
  for (const tag of ['x', 'y', 'z']) {
    expect(actual.search('', { tag })).toEqual(expected.search('', { tag }));
    expect(actual.search('', { tag, collectionId: 'c1', limit: 2 })).toEqual(
      expected.search('', { tag, collectionId: 'c1', limit: 2 }),
    );
  }
  expect(actual.tagFacets()).toEqual(expected.tagFacets());
  expect(actual.tagFacets('c2')).toEqual(expected.tagFacets('c2'));
}

/** The i-th of a deterministic set of documents over VOCAB, in collections c0-c2 and tags x-z. */
export function vocabDoc(i: number, round = 0): IndexedDoc {
  const w = (k: number): string => VOCAB[(i * 7 + k * 3 + round) % VOCAB.length]!;
  const tags = ['x', 'y', 'z'].filter((_, t) => (i + t + round) % 3 !== 0);
  return doc(`c${i % 3}`, `i${i}`, `${w(0)} ${w(1)}`, `${w(2)} ${w(3)} ${w(4)} ${w(2)}`, tags);
}
