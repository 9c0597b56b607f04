import { describe, expect, it } from 'vitest';
import type { SearchResults } from '../../../shared/queries.ts';
import { emptyStatus, searchStatus } from './search-status.ts';

function answer(query: string, pending = 0): SearchResults {
  return { query, total: 0, hits: [], facets: [], tookMs: 1, indexing: { pending, total: pending } };
}

describe('emptyStatus', () => {
  it('invites a search while there is none', () => {
    expect(emptyStatus('  ', null, answer(''))).toBe('Type to search every collection, or pick a tag.');
  });

  it('says "Searching…" until a search has an answer of its own', () => {
    expect(emptyStatus('c', null, null)).toBe('Searching…');
    // The empty search before it found nothing, which says nothing about "c".
    expect(emptyStatus('c', null, answer(''))).toBe('Searching…');
  });

  it('names the query that found nothing, not the one still on its way', () => {
    expect(emptyStatus('xylop', null, answer('xylo'))).toBe('No items match “xylo”.');
    expect(emptyStatus('xylo', null, answer('xylo '))).toBe('No items match “xylo”.');
  });

  it('names the tag of a tag-only search', () => {
    expect(emptyStatus('', 'space', answer(''))).toBe('No items match “#space”.');
  });

  it('says "not yet" while items are still being indexed', () => {
    expect(emptyStatus('wombat', null, answer('wombat', 3))).toBe('Nothing found yet for “wombat”.');
  });
});

describe('searchStatus', () => {
  const hit = {
    collectionId: 'c1',
    collectionName: 'Notes',
    itemId: 'i1',
    title: 'Comet',
    snippet: '',
    tags: [],
    terms: ['comet'],
  } as unknown as SearchResults['hits'][number];

  it('counts the results when some are on screen', () => {
    expect(searchStatus('comet', null, { ...answer('comet'), total: 1, hits: [hit] })).toBe('1 result');
    expect(searchStatus('c', null, { ...answer('c'), total: 2000, hits: [hit] })).toBe('2000 results');
  });

  it('says what emptyStatus says when none are', () => {
    expect(searchStatus('xylo', null, answer('xylo'))).toBe('No items match “xylo”.');
    expect(searchStatus('c', null, null)).toBe('Searching…');
  });
});
