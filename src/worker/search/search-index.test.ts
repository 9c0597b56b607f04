import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IndexedDoc } from './search-index.ts';
import { BODY_INDEX_CHARS, INDEX_FORMAT_VERSION, SearchIndex, itemKey } from './search-index.ts';
import { packInts, unpackInts } from './packed-ints.ts';
import { doc, indexOf, keySet, keys } from './test-support.ts';

const library = [
  doc('c1', 'a', 'Alpha centauri', 'A star system near the sun.', ['space', 'stars']),
  doc('c1', 'b', 'Beta notes', 'Nothing about the first letter here.', ['notes']),
  doc('c1', 'c', 'Gardening', 'The alpha and beta of growing tomatoes.', ['garden', 'notes']),
  doc('c2', 'd', 'Falcon sightings', 'A peregrine falcon over the harbour.', ['birds', 'notes']),
  doc('c2', 'e', 'Mountain trip', 'Alpha route to the summit, beta route down.', ['trips', 'space']),
  doc('c2', 'f', 'Un café à Paris', 'Croissants. 東京 next year.', ['trips']),
];

describe('SearchIndex queries', () => {
  it('matches a word by its prefix and reports the matched index terms', () => {
    const index = indexOf(library);
    const outcome = index.search('alp', {});
    expect(keySet(outcome)).toEqual(['c1/a', 'c1/c', 'c2/e']);
    for (const hit of outcome.hits) expect(hit.terms).toContain('alpha');
  });

  it('finds misspelled words: one edit from 4 characters, two from 8, none below 4', () => {
    const index = indexOf([
      ...library,
      doc('c3', 'g', 'Oak grove', 'A mountain and valleys.'),
      doc('c3', 'h', 'Oaf', 'A clumsy person.'),
    ]);
    expect(keySet(index.search('falcn', {}))).toEqual(['c2/d']);
    expect(keySet(index.search('mountian', {}))).toEqual(['c2/e', 'c3/g']);
    expect(keySet(index.search('oak', {}))).toEqual(['c3/g']);
    expect(keySet(index.search('oek', {}))).toEqual([]);
  });

  it('requires every query word to match', () => {
    const index = indexOf(library);
    expect(keySet(index.search('alpha beta', {}))).toEqual(['c1/c', 'c2/e']);
    expect(keySet(index.search('beta falcon', {}))).toEqual([]);
  });

  it('ranks a title match above a tag match above a body match', () => {
    // Same field lengths everywhere, so only the field weights can tell the three apart.
    const index = indexOf([
      doc('c', 'body', 'zero one two three four', 'comet beta gamma delta epsilon', ['misc']),
      doc('c', 'tag', 'zero one two three four', 'alpha beta gamma delta epsilon', ['comet']),
      doc('c', 'title', 'comet one two three four', 'alpha beta gamma delta epsilon', ['misc']),
    ]);
    const hits = index.search('comet', {}).hits;
    expect(hits.map((h) => h.itemId)).toEqual(['title', 'tag', 'body']);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);
    expect(hits[1]?.score).toBeGreaterThan(hits[2]?.score ?? Infinity);
  });

  it('ranks an exact match above prefix and fuzzy matches of the same word', () => {
    const index = indexOf([
      doc('c', 'fuzzy', 'comat one', 'body'),
      doc('c', 'prefix', 'comets one', 'body'),
      doc('c', 'exact', 'comet one', 'body'),
    ]);
    const hits = index.search('comet', {}).hits;
    expect(hits.map((h) => h.itemId).sort()).toEqual(['exact', 'fuzzy', 'prefix']);
    expect(hits[0]?.itemId).toBe('exact');
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);
  });

  it("scores a word by the item's best-matching term, and sums over the words", () => {
    const index = indexOf([
      doc('c', 'many', 'x', 'alpha alphabet'),
      doc('c', 'one', 'x', 'alpha beta'),
      doc('c', 'prefix', 'x', 'alphabet beta'),
      doc('c', 'f1', 'x', 'alphabet gamma'),
      doc('c', 'f2', 'x', 'alphabet delta'),
    ]);
    const score = (query: string, itemId: string): number =>
      index.search(query, {}).hits.find((h) => h.itemId === itemId)?.score ?? NaN;
    // "alphabet" (a prefix match) does not add to the exact "alpha" it comes with.
    expect(score('alpha', 'many')).toBe(score('alpha', 'one'));
    expect(score('alpha', 'prefix')).toBeLessThan(score('alpha', 'one'));
    expect(score('alpha beta', 'one')).toBeCloseTo(score('alpha', 'one') + score('beta', 'one'), 12);
  });

  it('reports, per hit, the index terms of the query that the item holds', () => {
    const index = indexOf([doc('c', 'two', 'Alpine alpha', 'beta'), doc('c', 'one', 'alpha', 'gamma')]);
    const terms = new Map(index.search('alp', {}).hits.map((h) => [h.itemId, h.terms]));
    expect(terms.get('two')).toEqual(['alpha', 'alpine']);
    expect(terms.get('one')).toEqual(['alpha']);
    const both = index.search('alpha bet', {}).hits;
    expect(both.map((h) => [h.itemId, h.terms])).toEqual([['two', ['alpha', 'beta']]]);
  });

  it('counts and facets every match even when no hit is returned', () => {
    const index = indexOf(library);
    const outcome = index.search('alpha', { limit: 0 });
    expect(outcome.hits).toEqual([]);
    expect(outcome.total).toBe(3);
    expect(outcome.facets).toEqual(index.search('alpha', { limit: 10 }).facets);
  });

  it('finds a rare word next to a very common one, scoring both', () => {
    // The rare word goes first; the common word's long list is then probed, not read through.
    const docs = Array.from({ length: 1200 }, (_, i) =>
      doc('c', `i${i}`, `common ${i % 200 === 0 ? 'zebra' : 'horse'}`, `common text ${i}`),
    );
    const index = indexOf(docs);
    const outcome = index.search('common zebra', { limit: 100 });
    expect(keySet(outcome)).toEqual(['c/i0', 'c/i1000', 'c/i200', 'c/i400', 'c/i600', 'c/i800']);
    expect(outcome.total).toBe(6);
    const alone = (word: string, itemId: string): number =>
      index.search(word, { limit: 2000 }).hits.find((h) => h.itemId === itemId)?.score ?? NaN;
    for (const hit of outcome.hits) {
      expect(hit.score).toBe(alone('zebra', hit.itemId) + alone('common', hit.itemId));
      expect(hit.terms).toEqual(['common', 'zebra']);
    }
  });

  it('folds case and diacritics and handles non-Latin words', () => {
    const index = indexOf(library);
    expect(keys(index.search('CAFE', {}))).toEqual(['c2/f']);
    expect(keys(index.search('Café', {}))).toEqual(['c2/f']);
    expect(keys(index.search('東京', {}))).toEqual(['c2/f']);
  });

  it('filters by tag and by collection', () => {
    const index = indexOf(library);
    expect(keySet(index.search('alpha', { tag: 'space' }))).toEqual(['c1/a', 'c2/e']);
    expect(keySet(index.search('alpha', { collectionId: 'c1' }))).toEqual(['c1/a', 'c1/c']);
    expect(keySet(index.search('alpha', { collectionId: 'c2', tag: 'space' }))).toEqual(['c2/e']);
    expect(keySet(index.search('alpha', { collectionId: 'nope' }))).toEqual([]);
  });

  it('lists every item with a tag for an empty query, and nothing without a tag', () => {
    const index = indexOf(library);
    const expected = library.filter((d) => d.tags.includes('notes')).map((d) => d.key);
    expect(keySet(index.search('', { tag: 'notes' }))).toEqual(expected.sort());
    expect(keySet(index.search('  ', { tag: 'notes', collectionId: 'c2' }))).toEqual(['c2/d']);
    expect(index.search('', {})).toEqual({ hits: [], facets: [], total: 0 });
    expect(index.search(' ,;- ', {})).toEqual({ hits: [], facets: [], total: 0 });
  });

  it('lists a tag without a query in title order', () => {
    const index = indexOf([
      doc('c', '1', 'banana split', '', ['food']),
      doc('c', '2', 'Apple pie', '', ['food']),
      doc('c', '3', 'cherry', '', ['food']),
      doc('c', '4', 'apricot', '', ['other']),
    ]);
    expect(index.search('', { tag: 'food' }).hits.map((h) => h.itemId)).toEqual(['2', '1', '3']);
  });

  it('counts the tags of every item, or of one collection', () => {
    const index = indexOf(library);
    const expected = (docs: readonly IndexedDoc[]): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const d of docs) for (const t of d.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
      return counts;
    };
    const asMap = (facets: readonly { tag: string; count: number }[]): Map<string, number> =>
      new Map(facets.map((f) => [f.tag, f.count]));
    expect(asMap(index.tagFacets())).toEqual(expected(library));
    expect(asMap(index.tagFacets('c2'))).toEqual(expected(library.filter((d) => d.collectionId === 'c2')));
    expect(index.tagFacets()[0]).toEqual({ tag: 'notes', count: 3 });
  });

  it('counts tag facets over every match, not only the returned hits', () => {
    const docs = Array.from({ length: 30 }, (_, i) =>
      doc('c', `i${i}`, `note ${i % 3 === 0 ? 'alpha' : 'beta'}`, 'text', [`t${i % 4}`, `u${i % 5}`]),
    );
    const index = indexOf(docs);
    const outcome = index.search('alpha', { limit: 2 });
    const matching = docs.filter((d) => d.title.includes('alpha'));
    expect(outcome.hits).toHaveLength(2);
    expect(outcome.total).toBe(matching.length);

    const counts = new Map<string, number>();
    for (const d of matching) for (const t of d.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
    const expected = [...counts]
      .map(([tag, count]) => ({ tag, count }))
      .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : 1));
    expect(outcome.facets).toEqual(expected);
  });

  it('indexes only the first BODY_INDEX_CHARS characters of a body', () => {
    const filler = 'x'.repeat(BODY_INDEX_CHARS - 20);
    const index = indexOf([doc('c', 'long', 'Long', `${filler} early words ${'y '.repeat(20)} late`)]);
    expect(keys(index.search('early', {}))).toEqual(['c/long']);
    expect(keys(index.search('late', {}))).toEqual([]);
  });
});

describe('SearchIndex updates', () => {
  it('replaces an item on upsert: its old words no longer match', () => {
    const index = indexOf(library);
    index.upsert(doc('c1', 'a', 'Omega nebula', 'Far away.', ['space']));
    expect(index.size).toBe(library.length);
    expect(keySet(index.search('alpha', {}))).toEqual(['c1/c', 'c2/e']);
    expect(keys(index.search('omega', {}))).toEqual(['c1/a']);
    expect(index.search('', { tag: 'stars' }).total).toBe(0);
  });

  it('removes an item, and ignores unknown keys', () => {
    const index = indexOf(library);
    index.remove('c1/a');
    index.remove('c1/a');
    index.remove('nope/x');
    expect(index.has('c1/a')).toBe(false);
    expect(index.has('c1/c')).toBe(true);
    expect(index.size).toBe(library.length - 1);
    expect(keySet(index.search('alpha', {}))).toEqual(['c1/c', 'c2/e']);
  });

  it('removes a whole collection', () => {
    const index = indexOf(library);
    index.removeCollection('c1');
    index.removeCollection('unknown');
    expect(index.size).toBe(library.filter((d) => d.collectionId !== 'c1').length);
    expect(keySet(index.search('alpha', {}))).toEqual(['c2/e']);
    expect(index.search('', { tag: 'notes' }).hits.every((h) => h.collectionId === 'c2')).toBe(true);
  });

  it('matches a freshly built index after any sequence of upserts and removes', () => {
    const words = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fable', 'garnet', 'harbor'];
    const wordArb = fc.constantFrom(...words);
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('upsert' as const),
        id: fc.integer({ min: 0, max: 7 }),
        collection: fc.constantFrom('c1', 'c2'),
        title: fc.array(wordArb, { minLength: 1, maxLength: 3 }),
        body: fc.array(wordArb, { maxLength: 4 }),
        tags: fc.uniqueArray(fc.constantFrom('x', 'y', 'z'), { maxLength: 2 }),
      }),
      fc.record({
        kind: fc.constant('remove' as const),
        id: fc.integer({ min: 0, max: 7 }),
        collection: fc.constantFrom('c1', 'c2'),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const index = new SearchIndex();
        const live = new Map<string, IndexedDoc>();
        for (const o of ops) {
          const key = itemKey(o.collection, `i${o.id}`);
          if (o.kind === 'remove') {
            index.remove(key);
            live.delete(key);
          } else {
            const d = doc(o.collection, `i${o.id}`, o.title.join(' '), o.body.join(' '), o.tags);
            index.upsert(d);
            live.set(key, d);
          }
        }
        const fresh = indexOf([...live.values()]);
        expect(index.size).toBe(live.size);
        for (const d of live.values()) {
          expect(index.has(d.key)).toBe(true);
          for (const word of d.title.split(' ')) {
            const got = index.search(word, { limit: 100 });
            expect(keySet(got)).toEqual(keySet(fresh.search(word, { limit: 100 })));
            expect(keys(got)).toContain(d.key);
          }
        }
      }),
    );
  });
});

describe('SearchIndex persistence', () => {
  it('restores an identical index from its snapshot', () => {
    const index = indexOf(library);
    index.remove('c2/d');
    const restored = SearchIndex.deserialize(index.serialize());
    expect(restored).toBeDefined();
    if (!restored) return;
    expect(restored.size).toBe(index.size);
    for (const query of ['alp', 'alpha beta', 'falcn', 'cafe', 'route']) {
      expect(restored.search(query, {})).toEqual(index.search(query, {}));
    }
    expect(restored.search('', { tag: 'notes' })).toEqual(index.search('', { tag: 'notes' }));
    restored.upsert(doc('c9', 'z', 'Zephyr', 'Wind.'));
    expect(keys(restored.search('zeph', {}))).toEqual(['c9/z']);
  });

  it('snapshots the index as it was when asked, encoded in several steps', () => {
    // 4,000 items of 100 distinct words: enough postings for the encoding to take several steps.
    const words = (i: number) => Array.from({ length: 100 }, (_, k) => `w${(i + k * 7) % 600}`).join(' ');
    const index = indexOf(Array.from({ length: 4_000 }, (_, i) => doc('c1', `i${i}`, `Item ${i}`, words(i))));
    const before = index.serialize();
    const steps = index.snapshot();
    // Changed after the copy, before any step: the snapshot must not see it.
    index.upsert(doc('c9', 'z', 'Zephyr', 'Wind.'));
    index.remove('c1/i0');
    let taken = 0;
    let step = steps.next();
    while (!step.done) {
      taken++;
      step = steps.next();
    }
    expect(taken).toBeGreaterThan(3);
    expect(step.value).toBe(before);
    const restored = SearchIndex.deserialize(step.value);
    expect(restored?.has('c1/i0')).toBe(true);
    expect(restored?.has('c9/z')).toBe(false);
  });

  it('refuses snapshots of another format version or that are corrupt', () => {
    const json = indexOf(library).serialize();
    const snapshot = JSON.parse(json) as { version: number; index: Record<string, unknown> };
    expect(snapshot.version).toBe(INDEX_FORMAT_VERSION);
    expect(SearchIndex.deserialize(json)).toBeDefined();

    expect(SearchIndex.deserialize(JSON.stringify({ ...snapshot, version: INDEX_FORMAT_VERSION + 1 }))).toBe(
      undefined,
    );
    expect(SearchIndex.deserialize(JSON.stringify({ ...snapshot, version: 2 }))).toBe(undefined);
    expect(SearchIndex.deserialize(JSON.stringify({ index: snapshot.index }))).toBe(undefined);
    expect(SearchIndex.deserialize(JSON.stringify({ version: INDEX_FORMAT_VERSION, index: {} }))).toBe(
      undefined,
    );
    expect(SearchIndex.deserialize(JSON.stringify({ version: INDEX_FORMAT_VERSION, index: 42 }))).toBe(
      undefined,
    );
    expect(SearchIndex.deserialize(json.slice(0, json.length / 2))).toBe(undefined);
    expect(SearchIndex.deserialize('null')).toBe(undefined);
    expect(SearchIndex.deserialize('')).toBe(undefined);

    const body = snapshot.index as {
      keys: string[];
      terms: string[];
      collection: string;
      tagIds: string;
      gaps: string;
      freqs: string;
    };
    const ints = (text: string): number[] => [...(unpackInts(text) ?? [])];
    const gaps = ints(body.gaps);
    const corruptions: Record<string, unknown>[] = [
      { gaps: 42 },
      { gaps: `${body.gaps}B` },
      { gaps: body.gaps.slice(1) },
      { gaps: `!${body.gaps.slice(1)}` },
      { gaps: packInts([library.length + 1, ...gaps.slice(1)]) },
      { gaps: packInts([0, ...gaps.slice(1)]) },
      { freqs: packInts(ints(body.freqs).map(() => 0)) },
      { keys: body.keys.slice(1) },
      { keys: [body.keys[1], ...body.keys.slice(1)] },
      { keys: ['elsewhere/a', ...body.keys.slice(1)] },
      { terms: body.terms.slice(1) },
      { terms: [body.terms[1], ...body.terms.slice(1)] },
      { collection: packInts(ints(body.collection).map(() => 99)) },
      { tagIds: packInts(ints(body.tagIds).map(() => 99)) },
      { tagIds: packInts(ints(body.tagIds).slice(1)) },
      { lengths: [1, 2, 3] },
    ];
    for (const corruption of corruptions) {
      const bad = JSON.stringify({ ...snapshot, index: { ...snapshot.index, ...corruption } });
      expect(SearchIndex.deserialize(bad), JSON.stringify(corruption)).toBe(undefined);
    }
  });

  it('never throws on a damaged snapshot, and what it loads answers queries', () => {
    const json = indexOf(library).serialize();
    fc.assert(
      fc.property(fc.nat({ max: json.length - 1 }), fc.string({ maxLength: 3 }), (at, text) => {
        const damaged = json.slice(0, at) + text + json.slice(at + 1);
        const index = SearchIndex.deserialize(damaged);
        if (!index) return;
        for (const query of ['alp', 'alpha beta', 'cafe', 'route', 'notes']) index.search(query, {});
        index.search('', { tag: 'notes' });
        index.tagFacets();
        index.upsert(doc('c1', 'new', 'Alpha', 'beta'));
        index.remove('c1/a');
      }),
    );
  });
});
