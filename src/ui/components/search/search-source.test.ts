// A tab's search source: a subscription whose answer the engine already worked out ahead gets it
// before the engine answers, and the engine's own answer still follows when it shows anything new.
// The engine here is a stand-in that records subscriptions and lets the test push their payloads.

import { describe, expect, it } from 'vitest';
import type { SearchRequest, SearchResults } from '../../../shared/queries.ts';
import type { CollectionId, ItemId } from '../../../shared/types.ts';
import { createSearchSource } from './search-source.ts';

describe('createSearchSource', () => {
  it('hands over an answer worked out ahead at once, and skips the same answer from the engine', async () => {
    const engine = recordingEngine();
    const source = createSearchSource(engine);
    const first: SearchResults[] = [];
    const off = source.subscribe(request('mea'), (r) => first.push(r));
    engine.push(answer('mea', ['a', 'b'], { epoch: 0 }));
    engine.push(answer('meal', ['b'], { epoch: 0, ahead: true }));
    engine.push(answer('mead', ['a'], { epoch: 0, ahead: true }));
    expect(first.map((r) => r.query)).toEqual(['mea']); // answers ahead are not this subscription's
    expect(engine.latest().ahead).toBe(true);

    off();
    const second: SearchResults[] = [];
    source.subscribe(request('MeaL'), (r) => second.push(r));
    expect(second).toEqual([]); // not during subscribe: in a microtask
    await Promise.resolve();
    // The answer for "meal", named for the query as typed.
    expect(second.map((r) => [r.query, ids(r)])).toEqual([['MeaL', ['b']]]);

    // The engine's own answer shows the same: nothing to render again.
    engine.push(answer('MeaL', ['b'], { epoch: 0, tookMs: 3 }));
    expect(second).toHaveLength(1);
    // Something changed since: the new answer goes through.
    engine.push(answer('MeaL', ['b', 'c'], { epoch: 1 }));
    expect(second.map(ids)).toEqual([['b'], ['b', 'c']]);
  });

  it('without a known answer, waits for the engine', async () => {
    const engine = recordingEngine();
    const source = createSearchSource(engine);
    source.subscribe(request('mea'), () => undefined);
    engine.push(answer('mead', ['a'], { epoch: 0, ahead: true }));
    const got: SearchResults[] = [];
    source.subscribe(request('meat'), (r) => got.push(r));
    await Promise.resolve();
    expect(got).toEqual([]);
    engine.push(answer('meat', ['m'], { epoch: 0 }));
    expect(got.map(ids)).toEqual([['m']]);
  });

  it('forgets answers worked out before a change it hears of', async () => {
    const lookUp = async (query: string): Promise<string[][]> => {
      const engine = recordingEngine();
      const source = createSearchSource(engine);
      source.subscribe(request('mea'), () => undefined);
      engine.push(answer('mead', ['a'], { epoch: 0, ahead: true }));
      engine.push(answer('meal', ['b'], { epoch: 0, ahead: true }));
      // A change re-ran the search (epoch 1) and, so far, worked out "meal" again.
      engine.push(answer('meal', ['b', 'c'], { epoch: 1, ahead: true }));
      const got: SearchResults[] = [];
      source.subscribe(request(query), (r) => got.push(r));
      await Promise.resolve();
      return got.map(ids);
    };
    expect(await lookUp('meal')).toEqual([['b', 'c']]);
    expect(await lookUp('mead')).toEqual([]);
  });

  it('keeps the answer before the latest keystroke, for a Backspace', async () => {
    const engine = recordingEngine();
    const source = createSearchSource(engine);
    source.subscribe(request('mea'), () => undefined);
    engine.push(answer('mea', ['a', 'b'], { epoch: 0 }));
    source.subscribe(request('mead'), () => undefined);
    engine.push(answer('mead', ['a'], { epoch: 0 }));
    const back: SearchResults[] = [];
    source.subscribe(request('mea'), (r) => back.push(r));
    await Promise.resolve();
    expect(back.map(ids)).toEqual([['a', 'b']]);
  });

  it('uses an answer only for the same filters', async () => {
    const engine = recordingEngine();
    const source = createSearchSource(engine);
    source.subscribe({ ...request('mea'), tag: 'food' }, () => undefined);
    engine.push(answer('meal', ['b'], { epoch: 0, ahead: true }));
    const untagged: SearchResults[] = [];
    source.subscribe(request('meal'), (r) => untagged.push(r));
    await Promise.resolve();
    expect(untagged).toEqual([]);
  });

  it('hands nothing over after an unsubscribe', async () => {
    const engine = recordingEngine();
    const source = createSearchSource(engine);
    source.subscribe(request('mea'), () => undefined);
    engine.push(answer('meal', ['b'], { epoch: 0, ahead: true }));
    const got: SearchResults[] = [];
    const off = source.subscribe(request('meal'), (r) => got.push(r));
    off();
    await Promise.resolve();
    engine.push(answer('meal', ['b'], { epoch: 0 }));
    expect(got).toEqual([]);
  });
});

/** Stands in for EngineClient.subscribe: push() delivers to the latest subscription. */
function recordingEngine() {
  const subscriptions: Array<{ sub: SearchRequest; onData: (r: SearchResults) => void; open: boolean }> = [];
  return {
    subscribe(sub: SearchRequest, onData: (r: SearchResults) => void) {
      const entry = { sub, onData, open: true };
      subscriptions.push(entry);
      return () => void (entry.open = false);
    },
    push(results: SearchResults) {
      const entry = subscriptions.at(-1)!;
      if (entry.open) entry.onData(results);
    },
    latest: () => subscriptions.at(-1)!.sub,
  } as const;
}

function request(query: string): SearchRequest {
  return { type: 'search', query, ahead: true };
}

function answer(
  query: string,
  itemIds: string[],
  extra: { epoch: number; ahead?: true; tookMs?: number },
): SearchResults {
  return {
    query,
    total: itemIds.length,
    hits: itemIds.map((itemId) => ({
      collectionId: 'c1' as CollectionId,
      collectionName: 'Notes',
      itemId: itemId as ItemId,
      title: `Item ${itemId}`,
      snippet: '',
      tags: [],
      terms: [query.toLowerCase()],
    })),
    facets: [],
    indexing: { pending: 0, total: 0 },
    tookMs: extra.tookMs ?? 1,
    epoch: extra.epoch,
    ...(extra.ahead ? { ahead: extra.ahead } : {}),
  };
}

function ids(results: SearchResults): string[] {
  return results.hits.map((hit) => hit.itemId);
}
