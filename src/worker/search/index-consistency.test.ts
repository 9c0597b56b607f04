// The index keeps removed items until queries or compaction clear them, and restores snapshots
// without re-tokenizing: whatever happened to an index, it must answer exactly as one freshly built
// from the items it holds now.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexState } from './index-state.ts';
import type { IndexedDoc } from './search-index.ts';
import { SearchIndex, itemKey } from './search-index.ts';
import { PROBES, VOCAB, doc, expectSameResults, indexOf, vocabDoc } from './test-support.ts';

const library = [
  doc('c1', 'a', 'Alpha centauri', 'A star system near the sun.', ['space', 'stars']),
  doc('c1', 'b', 'Beta notes', 'Nothing about the first letter here.', ['notes']),
  doc('c2', 'e', 'Mountain trip', 'Alpha route to the summit, beta route down.', ['trips', 'space']),
];

describe('SearchIndex removal and compaction', () => {
  it('gives an item removed and added again exactly the results it had', () => {
    const index = indexOf(library);
    const before = indexOf(library);
    index.remove('c1/a');
    expect(index.search('centauri', {}).total).toBe(0);
    expect(index.tagFacets().find((f) => f.tag === 'stars')).toBeUndefined();
    index.upsert(library[0]!);
    for (const query of ['alp', 'alpha', 'centauri', 'star', 'alpha beta', 'the']) {
      expect(index.search(query, {})).toEqual(before.search(query, {}));
    }
    expect(index.tagFacets()).toEqual(before.tagFacets());
  });

  it('compacts after many removals, answering as a freshly built index does', () => {
    const docs = Array.from({ length: 200 }, (_, i) => vocabDoc(i));
    const index = indexOf(docs);
    docs.slice(0, 150).forEach((d, i) => {
      index.remove(d.key);
      // Queries in between clean the lists they read; the rest waits for compaction.
      if (i % 7 === 0) index.search(VOCAB[i % VOCAB.length]!, {});
    });
    expectSameResults(index, indexOf(docs.slice(150)));
    for (const d of docs.slice(0, 150).reverse()) index.upsert(d);
    expectSameResults(index, indexOf(docs));
  });

  it('compacts once removed documents pass a quarter of the document ids', () => {
    const state = new IndexState();
    const add = (i: number): void => {
      const d = vocabDoc(i);
      state.add(d.key, d.collectionId, d.title, d.tags, [d.title.split(' '), d.tags, d.body.split(' ')]);
    };
    for (let i = 0; i < 100; i++) add(i);
    for (let i = 0; i < 25; i++) state.remove(vocabDoc(i).key);
    expect(state.docs.slots).toBe(100);
    expect(state.removed).toHaveLength(25);
    state.remove(vocabDoc(25).key);
    expect(state.docs.slots).toBe(74);
    expect(state.removed).toHaveLength(0);
    expect(state.byKey.get(vocabDoc(26).key)).toBe(0);
    expect(state.postings.holes).toBe(0);
  });

  it('answers as a freshly built index after any upserts (one by one or in batches), removes and queries, and so does its snapshot', () => {
    const word = fc.constantFrom(...VOCAB);
    const op = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('upsert' as const),
          id: fc.integer({ min: 0, max: 11 }),
          collection: fc.constantFrom('c1', 'c2', 'c3'),
          title: fc.array(word, { minLength: 1, maxLength: 3 }),
          body: fc.array(word, { maxLength: 6 }),
          tags: fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 3 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('remove' as const),
          id: fc.integer({ min: 0, max: 11 }),
          collection: fc.constantFrom('c1', 'c2', 'c3'),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('query' as const), query: fc.constantFrom(...PROBES) }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('batch' as const),
          items: fc.array(
            fc.record({
              id: fc.integer({ min: 0, max: 11 }),
              collection: fc.constantFrom('c1', 'c2', 'c3'),
              title: fc.array(word, { minLength: 1, maxLength: 3 }),
              body: fc.array(word, { maxLength: 6 }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('dropCollection' as const),
          collection: fc.constantFrom('c1', 'c2', 'c3'),
        }),
      },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const index = new SearchIndex();
        const live = new Map<string, IndexedDoc>();
        for (const o of ops) {
          if (o.kind === 'query') {
            index.search(o.query, {});
          } else if (o.kind === 'batch') {
            const batch = o.items.map((b) =>
              doc(b.collection, `i${b.id}`, b.title.join(' '), b.body.join(' '), []),
            );
            index.upsertMany(batch);
            for (const d of batch) live.set(d.key, d);
          } else if (o.kind === 'dropCollection') {
            index.removeCollection(o.collection);
            for (const [key, d] of live) if (d.collectionId === o.collection) live.delete(key);
          } else if (o.kind === 'remove') {
            index.remove(itemKey(o.collection, `i${o.id}`));
            live.delete(itemKey(o.collection, `i${o.id}`));
          } else {
            const d = doc(o.collection, `i${o.id}`, o.title.join(' '), o.body.join(' '), o.tags);
            index.upsert(d);
            live.set(d.key, d);
          }
        }
        // Insertion order differs from the live index's; results must not depend on it.
        const fresh = indexOf([...live.values()].reverse());
        expectSameResults(index, fresh);
        for (const d of live.values()) expect(index.has(d.key)).toBe(true);
        // A snapshot taken with removed items still in the lists holds only the live ones.
        const restored = SearchIndex.deserialize(index.serialize());
        expect(restored).toBeDefined();
        if (restored) expectSameResults(restored, fresh);
      }),
      { numRuns: 60 },
    );
  });
});

describe('SearchIndex batches', () => {
  it('upserts a batch as it would each item, also when the batch compacts the index midway', () => {
    const docs = Array.from({ length: 200 }, (_, i) => vocabDoc(i));
    const index = new SearchIndex();
    index.upsertMany(docs);
    expectSameResults(index, indexOf(docs));
    // Replacing 150 of 200 items passes the compaction threshold a third of the way through.
    const changed = docs.slice(0, 150).map((_, i) => vocabDoc(i, 1));
    index.upsertMany(changed);
    expectSameResults(index, indexOf([...changed, ...docs.slice(150)]));
  });
});

describe('SearchIndex snapshots of changed indexes', () => {
  it('restores the results of a changed index, and keeps changing like a fresh one', () => {
    const docs = Array.from({ length: 120 }, (_, i) => vocabDoc(i));
    const index = indexOf(docs);
    for (let i = 0; i < 20; i++) index.remove(docs[i * 3]!.key);
    for (let i = 0; i < 20; i++) index.upsert(vocabDoc(i * 2, 1));
    const restored = SearchIndex.deserialize(index.serialize());
    expect(restored).toBeDefined();
    if (!restored) return;
    expectSameResults(restored, index);

    const expected = new Map(docs.map((d) => [d.key, d]));
    for (let i = 0; i < 20; i++) expected.delete(docs[i * 3]!.key);
    for (let i = 0; i < 20; i++) expected.set(vocabDoc(i * 2, 1).key, vocabDoc(i * 2, 1));
    for (let i = 0; i < 30; i++) {
      restored.upsert(vocabDoc(i, 2));
      expected.set(vocabDoc(i, 2).key, vocabDoc(i, 2));
      restored.remove(docs[100 + (i % 20)]!.key);
      expected.delete(docs[100 + (i % 20)]!.key);
    }
    expectSameResults(restored, indexOf([...expected.values()]));
  });
});
