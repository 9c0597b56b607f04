import { describe, expect, it } from 'vitest';
import type { SearchResultItem, SearchResults } from '../../../shared/queries.ts';
import type { CollectionId, ItemId } from '../../../shared/types.ts';
import { hitsForFirstFrame, withStableParts } from './stable-results.ts';

describe('withStableParts', () => {
  it('keeps the previous object of every hit and facet that shows the same, and only those', () => {
    const previous = results(
      [hit('a', 'Meadow walk', ['meadow']), hit('b', 'Meadows', ['meadow']), hit('c', 'Mead', ['mead'])],
      [facet('walks', 2), facet('drinks', 1)],
    );
    const next = results(
      [
        hit('b', 'Meadows', ['meadow']), // same, moved up
        hit('a', 'Meadow walk', ['meadow', 'meadows']), // highlights more
        hit('d', 'Meadowlark', ['meadowlark']), // new
      ],
      [facet('walks', 2), facet('drinks', 2)],
    );
    const stable = withStableParts(previous, next);
    expect(stable.hits[0]).toBe(previous.hits[1]);
    expect(stable.hits[1]).toBe(next.hits[1]);
    expect(stable.hits[2]).toBe(next.hits[2]);
    expect(stable.facets[0]).toBe(previous.facets[0]);
    expect(stable.facets[1]).toBe(next.facets[1]);
    // What it shows is next's, whatever object carries it.
    expect(stable).toEqual(next);
  });

  it('takes a renamed collection or retagged item as a change', () => {
    const previous = results([hit('a', 'Walk', ['walk'])], []);
    const renamed = results([{ ...hit('a', 'Walk', ['walk']), collectionName: 'Trips' }], []);
    const retagged = results([{ ...hit('a', 'Walk', ['walk']), tags: ['new'] }], []);
    expect(withStableParts(previous, renamed).hits[0]).toBe(renamed.hits[0]);
    expect(withStableParts(previous, retagged).hits[0]).toBe(retagged.hits[0]);
  });
});

describe('hitsForFirstFrame', () => {
  it('keeps the first rows and every row already on screen, in order, and builds no other', () => {
    const hits = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => hit(id, `Title ${id}`, ['title']));
    const onScreen = new Set([hits[4]!, hit('z', 'Gone', ['gone'])]);
    expect(hitsForFirstFrame(hits, onScreen, 2)).toEqual([hits[0], hits[1], hits[4]]);
    expect(hitsForFirstFrame(hits, new Set(), 10)).toEqual(hits);
    expect(hitsForFirstFrame(hits, new Set(hits), 0)).toEqual(hits);
  });
});

function hit(itemId: string, title: string, terms: string[]): SearchResultItem {
  return {
    collectionId: 'c1' as CollectionId,
    collectionName: 'Notes',
    itemId: itemId as ItemId,
    title,
    snippet: `${title} in the morning`,
    tags: ['walks'],
    terms,
  };
}

function facet(tag: string, count: number) {
  return { tag, count };
}

function results(hits: SearchResultItem[], facets: SearchResults['facets']): SearchResults {
  return { query: 'mead', total: hits.length, hits, facets, tookMs: 1, indexing: { pending: 0, total: 0 } };
}
