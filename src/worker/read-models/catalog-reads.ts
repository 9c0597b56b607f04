// Reading catalog rows: those derived but not stored yet (PendingCatalog) and those recently derived
// or read (RecentRows) come from memory; the rest from IndexedDB.

import type { CatalogRow, PinaxDb, ReadModelStateRow } from '../db.ts';
import { itemKey } from '../search/search-index.ts';
import type { PendingCatalog } from './pending-catalog.ts';
import type { RecentRows } from './recent-rows.ts';

/** Where rows are, newest first. */
export interface CatalogSources {
  db: PinaxDb;
  pending: PendingCatalog;
  recentRows: RecentRows;
}

/** Catalog rows by key, the newest in memory first, then IndexedDB. */
export async function readRows(
  { db, pending, recentRows }: CatalogSources,
  keys: ReadonlyArray<[string, string]>,
): Promise<Array<CatalogRow | undefined>> {
  const out: Array<CatalogRow | undefined> = keys.map(([c, i]) => {
    const key = itemKey(c, i);
    return pending.row(key) ?? recentRows.get(key);
  });
  const missing = keys.filter((_, n) => out[n] === undefined);
  if (missing.length === 0) return out;
  const stored = await db.catalog.bulkGet(missing);
  for (const row of stored) if (row) recentRows.rememberRead(row);
  let next = 0;
  return out.map((row) => row ?? stored[next++]);
}

/**
 * Every catalog row of a collection (tombstones included) as last derived, with its read-model
 * state (undefined when none was ever recorded).
 */
export async function readCollectionRows(
  { db, pending }: CatalogSources,
  collectionId: string,
): Promise<{ state: ReadModelStateRow | undefined; rows: CatalogRow[] }> {
  const [state, stored] = await Promise.all([
    pending.state(collectionId) ?? db.readModelState.get(collectionId),
    db.catalog.where('collectionId').equals(collectionId).toArray(),
  ]);
  const byItem = new Map(stored.map((row) => [row.itemId, row]));
  for (const row of pending.rowsOf(collectionId)) byItem.set(row.itemId, row);
  return { state, rows: [...byItem.values()] };
}
