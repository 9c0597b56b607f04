import { describe, expect, it } from 'vitest';
import { indexGaps } from './index-gaps.ts';

const rows = [
  { id: 'a', itemCount: 100 },
  { id: 'b', itemCount: 40 },
  { id: 'c', itemCount: 0 },
];
const state = (collectionId: string, heads: string[]) => ({ collectionId, heads, version: 1 });

describe('indexGaps', () => {
  it('finds every item missing when nothing was indexed', () => {
    expect(indexGaps(rows, [state('a', ['h1']), state('b', ['h2'])], {}, () => 0)).toEqual(
      new Map([
        ['a', { pending: 100, total: 100 }],
        ['b', { pending: 40, total: 40 }],
      ]),
    );
  });

  it('finds none where the index was saved at the catalog’s heads, in any order', () => {
    const gaps = indexGaps(
      rows,
      [state('a', ['h1', 'h2']), state('b', ['h3'])],
      { a: ['h2', 'h1'], b: ['h3'] },
      () => 0,
    );
    expect(gaps.size).toBe(0);
  });

  it('counts what an index saved before the last changes lacks', () => {
    const indexed: Record<string, number> = { a: 70, b: 40 };
    const gaps = indexGaps(
      rows,
      [state('a', ['new']), state('b', ['new'])],
      { a: ['old'], b: ['old'] },
      (id) => indexed[id] ?? 0,
    );
    // b's items are all indexed, only older versions of some: nothing to say "indexing" about.
    expect(gaps).toEqual(new Map([['a', { pending: 30, total: 100 }]]));
  });

  it('treats a collection with no catalog heads as not covered', () => {
    expect(indexGaps([{ id: 'a', itemCount: 5 }], [], { a: ['h1'] }, () => 2)).toEqual(
      new Map([['a', { pending: 3, total: 5 }]]),
    );
  });
});
