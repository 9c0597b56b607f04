// Fills the recent-rows cache from the stored catalog in the background once start-up is over. A
// search shows its hits' catalog rows; read from IndexedDB, the 50 rows of a first query took a few
// milliseconds, most of a search's time in the engine. Reads go page by page in primary-key order,
// each once the engine is quiet (an import or a rebuild writes the same table, and read alongside it
// slowed a 10k-item import), and stop as soon as the cache is full or the warmer is no longer wanted.

import type { Table } from 'dexie';
import type { CatalogRow } from '../db.ts';
import type { RecentRows } from './recent-rows.ts';

/** Returns how many rows it put in the cache; `quiet` resolves when a page may be read. */
export async function warmRecentRows(
  catalog: Table<CatalogRow, [string, string]>,
  rows: RecentRows,
  wanted: () => boolean,
  quiet: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  let added = 0;
  let after: [string, string] | undefined;
  for (;;) {
    await quiet();
    if (!wanted()) break;
    const from = after === undefined ? catalog.toCollection() : catalog.where(':id').above(after);
    const page = await from.limit(PAGE_ROWS).toArray();
    // Checked again: the engine may have dropped a collection while the page was being read.
    if (!wanted()) break;
    for (const row of page) {
      if (row.deleted) continue; // search never shows tombstones
      if (!rows.fill(row)) return added;
      added++;
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE_ROWS) break;
    after = [last.collectionId, last.itemId];
  }
  return added;
}

const PAGE_ROWS = 1_000;
