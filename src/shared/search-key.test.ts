// Requests that get the same answer share a key; any difference the engine reads gives another.

import { describe, expect, it } from 'vitest';
import type { CollectionId } from './types.ts';
import { searchAnswerKey } from './search-key.ts';

describe('searchAnswerKey', () => {
  it('is the same for queries with the same folded words', () => {
    const key = searchAnswerKey({ query: 'meadow walk' });
    for (const query of ['Meadow walk', 'meadow  walk ', ' MEADOW, walk!', 'meadow-walk'])
      expect(searchAnswerKey({ query })).toBe(key);
    expect(searchAnswerKey({ query: 'Café' })).toBe(searchAnswerKey({ query: 'cafe' }));
  });

  it('differs for other words, order, filters, limit, and a blank query against punctuation', () => {
    const keys = [
      searchAnswerKey({ query: 'meadow walk' }),
      searchAnswerKey({ query: 'walk meadow' }),
      searchAnswerKey({ query: 'meadow wal' }),
      searchAnswerKey({ query: 'meadow walk', tag: 'outdoors' }),
      searchAnswerKey({ query: 'meadow walk', collectionId: 'c1' as CollectionId }),
      searchAnswerKey({ query: 'meadow walk', limit: 5 }),
      // Neither has words, but a blank query lists tag counts and "!!" does not.
      searchAnswerKey({ query: '' }),
      searchAnswerKey({ query: '!!' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(searchAnswerKey({ query: '' })).toBe(searchAnswerKey({ query: '   ' }));
  });
});
