// The recent-rows cache and its fill from the stored catalog (fake-indexeddb): stored rows arrive in
// memory up to the cache's capacity, tombstones stay out, a row derived meanwhile is never replaced
// by an older one read from IndexedDB, and a fill stops when it is no longer wanted.

import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { openPinaxDb, type CatalogRow, type PinaxDb } from '../db.ts';
import { itemKey } from '../search/search-index.ts';
import { RecentRows } from './recent-rows.ts';
import { warmRecentRows } from './row-warmer.ts';

const dbs: PinaxDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

describe('warmRecentRows', () => {
  it('caches stored rows across pages, leaving tombstones out', async () => {
    const db = await dbWith([...rows('c1', 1_500), { ...row('c2', 'gone'), deleted: 1 }, ...rows('c2', 700)]);
    const cache = new RecentRows(10_000);
    expect(await warmRecentRows(db.catalog, cache, () => true)).toBe(2_200);
    expect(cache.get(itemKey('c1', 'item-1499'))?.title).toBe('Title c1 1499');
    expect(cache.get(itemKey('c2', 'item-0'))?.title).toBe('Title c2 0');
    expect(cache.get(itemKey('c2', 'gone'))).toBeUndefined();
  });

  it('stops at the capacity without dropping a cached row', async () => {
    const db = await dbWith(rows('c1', 2_500));
    const cache = new RecentRows(1_200);
    const recent = { ...row('c0', 'recent'), title: 'used a moment ago' };
    cache.remember(recent);
    expect(await warmRecentRows(db.catalog, cache, () => true)).toBe(1_199);
    expect(cache.get(itemKey('c0', 'recent'))).toBe(recent);
    expect(cache.get(itemKey('c1', 'item-1198'))).toBeDefined();
  });

  it('keeps a row derived while the fill was reading', async () => {
    const db = await dbWith(rows('c1', 10));
    const cache = new RecentRows(100);
    const derived = { ...row('c1', 'item-3'), title: 'edited just now' };
    cache.remember(derived);
    await warmRecentRows(db.catalog, cache, () => true);
    expect(cache.get(itemKey('c1', 'item-3'))?.title).toBe('edited just now');
    expect(cache.get(itemKey('c1', 'item-4'))?.title).toBe('Title c1 4');
  });

  it('stops once it is no longer wanted', async () => {
    const db = await dbWith(rows('c1', 3_000));
    const cache = new RecentRows(10_000);
    let pages = 0;
    const added = await warmRecentRows(db.catalog, cache, () => pages++ < 2);
    // Asked before reading the first page and again after it: the first page only.
    expect(added).toBe(1_000);
  });

  it('reads each page only once the engine is quiet', async () => {
    const db = await dbWith(rows('c1', 1_500));
    const cache = new RecentRows(10_000);
    let release = () => undefined as void;
    let waits = 0;
    const quiet = () => {
      waits++;
      return waits === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    };
    const filling = warmRecentRows(db.catalog, cache, () => true, quiet);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(cache.get(itemKey('c1', 'item-0'))).toBeUndefined(); // still waiting for quiet
    release();
    expect(await filling).toBe(1_500);
    expect(waits).toBe(2); // before each of the two pages
  });
});

describe('RecentRows', () => {
  it('replaces a row on remember but not on rememberRead', () => {
    const cache = new RecentRows(10);
    cache.remember(row('c1', 'a'));
    cache.rememberRead({ ...row('c1', 'a'), title: 'stale' });
    expect(cache.get(itemKey('c1', 'a'))?.title).toBe('Title c1 a');
    cache.remember({ ...row('c1', 'a'), title: 'newer' });
    expect(cache.get(itemKey('c1', 'a'))?.title).toBe('newer');
  });

  it('drops a collection’s rows only', () => {
    const cache = new RecentRows(10);
    cache.remember(row('c1', 'a'));
    cache.remember(row('c10', 'a'));
    cache.dropCollection('c1');
    expect(cache.get(itemKey('c1', 'a'))).toBeUndefined();
    expect(cache.get(itemKey('c10', 'a'))).toBeDefined();
  });
});

function row(collectionId: string, itemId: string): CatalogRow {
  const n = itemId.replace(/^item-/, '');
  return {
    collectionId,
    itemId,
    title: `Title ${collectionId} ${n}`,
    titleConflicts: [],
    tags: [],
    snippet: '',
    createdAt: 1,
    updatedAt: 1,
    deleted: 0,
  };
}

function rows(collectionId: string, count: number): CatalogRow[] {
  return Array.from({ length: count }, (_, i) => row(collectionId, `item-${i}`));
}

async function dbWith(stored: CatalogRow[]): Promise<PinaxDb> {
  const db = openPinaxDb(`warm-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  dbs.push(db);
  await db.catalog.bulkPut(stored);
  return db;
}
