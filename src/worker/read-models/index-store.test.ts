// The stored search index: written once changes settle, but not postponed forever by changes that
// keep coming, read back whole, and replaced by an empty one when the stored format is unreadable.

import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CollectionId } from '../../shared/types.ts';
import { openPinaxDb, type CollectionRow, type PinaxDb } from '../db.ts';
import { SearchIndex } from '../search/search-index.ts';
import { IndexStore, type IndexSnapshot } from './index-store.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe('IndexStore', () => {
  it('saves once changes have settled for 2 s, with the index and heads of that moment', async () => {
    const { db, store, current } = setup();
    vi.useFakeTimers();
    store.scheduleSave();
    await vi.advanceTimersByTimeAsync(1_000);
    current.heads = { c1: ['h2'] };
    store.scheduleSave(); // the quiet spell starts again
    await vi.advanceTimersByTimeAsync(1_900);
    vi.useRealTimers();
    expect(await db.searchIndex.get('global')).toBeUndefined();
    await store.flush();
    expect((await db.searchIndex.get('global'))?.heads).toEqual({ c1: ['h2'] });
  });

  it('saves at least every 10 s while changes keep coming', async () => {
    const { db, store } = setup();
    vi.useFakeTimers();
    for (let second = 0; second < 12; second++) {
      store.scheduleSave();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    vi.useRealTimers();
    await waitFor(async () => (await db.searchIndex.get('global')) !== undefined);
  });

  it('stores the index and heads of the moment a save began, and flush waits for that save', async () => {
    const { db, store, current } = setup();
    const item = (n: number) => ({
      key: `c1/i${n}`,
      collectionId: 'c1',
      itemId: `i${n}`,
      title: `Amber birch ${n}`,
      tags: [],
      body: '',
    });
    current.index.upsertMany([item(1)]);
    current.heads = { c1: ['h1'] };
    store.saveSoon();
    // Changed while that save is under way (it yields between its steps).
    current.index.upsertMany([item(2)]);
    current.heads = { c1: ['h2'] };
    await store.flush();
    const row = await db.searchIndex.get('global');
    expect(row?.heads).toEqual({ c1: ['h1'] });
    expect(SearchIndex.deserialize(row?.index ?? '')?.countIn('c1')).toBe(1);
  });

  it('loads what it saved, and starts empty from a row it cannot read', async () => {
    const { db, store, current } = setup();
    await db.collections.put(collectionRow('c1'));
    current.index.upsertMany([
      { key: 'c1/i1', collectionId: 'c1', itemId: 'i1', title: 'Amber birch', tags: [], body: '' },
    ]);
    current.heads = { c1: ['h1'] };
    store.saveSoon();
    await waitFor(async () => (await db.searchIndex.get('global')) !== undefined);
    const loaded = await new IndexStore(db, () => current).load();
    expect(loaded.heads).toEqual({ c1: ['h1'] });
    expect(loaded.index.countIn('c1')).toBe(1);

    await db.searchIndex.put({ id: 'global', index: JSON.stringify({ version: -1 }), heads: { c1: ['h9'] } });
    const unreadable = await new IndexStore(db, () => current).load();
    expect(unreadable.index.countIn('c1')).toBe(0);
    expect(unreadable.heads).toEqual({});
  });

  it('leaves out of a loaded index the collections the profile no longer has', async () => {
    const { db, store, current } = setup();
    await db.collections.bulkPut([collectionRow('kept'), collectionRow('other')]);
    const item = (collectionId: string, n: number) => ({
      key: `${collectionId}/i${n}`,
      collectionId,
      itemId: `i${n}`,
      title: `Meadow lark ${n}`,
      tags: ['bird'],
      body: '',
    });
    current.index.upsertMany([item('kept', 1), item('left', 1), item('left', 2), item('other', 1)]);
    current.heads = { kept: ['h1'], left: ['h2'], other: ['h3'] };
    // Saved while "left" was still joined; its row went before the next save (the engine stopped).
    store.saveSoon();
    await store.flush();

    const loaded = await new IndexStore(db, () => current).load();
    expect(loaded.index.collectionIds().sort()).toEqual(['kept', 'other']);
    expect(loaded.heads).toEqual({ kept: ['h1'], other: ['h3'] });
    expect(loaded.index.search('meadow').total).toBe(2);
    expect(loaded.index.tagFacets()).toEqual([{ tag: 'bird', count: 2 }]);
  });
});

function collectionRow(id: string): CollectionRow {
  return {
    id: id as CollectionId,
    name: id,
    description: '',
    itemCount: 1,
    createdAt: 1,
    updatedAt: 1,
    joinedAt: 1,
  };
}

function setup(): { db: PinaxDb; store: IndexStore; current: IndexSnapshot } {
  const db = openPinaxDb(`index-store-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => db.close());
  const current: IndexSnapshot = { index: new SearchIndex(), heads: { c1: ['h1'] } };
  return { db, store: new IndexStore(db, () => current), current };
}

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
