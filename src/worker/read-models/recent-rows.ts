// Catalog rows recently derived or read, least recently used dropped first. Successive searches
// (one per keystroke) then rarely touch IndexedDB, whose reads also queue behind the background row
// writes of a rebuild or an import. After start-up it is filled from the stored catalog as far as it
// has room (row-warmer.ts), so the first searches of a session do not wait for IndexedDB either.

import type { CatalogRow } from '../db.ts';
import { itemKey } from '../search/search-index.ts';

/** About 2 MB of rows: a screenful of hits for many successive queries, or one slice of a rebuild. */
const DEFAULT_CAPACITY = 10_000;

export class RecentRows {
  #rows = new Map<string, CatalogRow>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#capacity = capacity;
  }

  get(key: string): CatalogRow | undefined {
    return this.#rows.get(key);
  }

  /**
   * Keeps a row read from IndexedDB unless the cache already has one for its item, which is as new or
   * newer: a row derived while the read was in flight must not be replaced by what it read.
   */
  rememberRead(row: CatalogRow): void {
    if (!this.#rows.has(itemKey(row.collectionId, row.itemId))) this.remember(row);
  }

  /** Like rememberRead, but only while there is room: never drops a row to make some. */
  fill(row: CatalogRow): boolean {
    if (this.#rows.size >= this.#capacity) return false;
    this.rememberRead(row);
    return true;
  }

  remember(row: CatalogRow): void {
    const key = itemKey(row.collectionId, row.itemId);
    // Re-inserting moves the key to the end: Map order is the recency order.
    this.#rows.delete(key);
    this.#rows.set(key, row);
    if (this.#rows.size > this.#capacity) {
      const oldest = this.#rows.keys().next().value;
      if (oldest !== undefined) this.#rows.delete(oldest);
    }
  }

  dropCollection(collectionId: string): void {
    for (const key of this.#rows.keys()) if (key.startsWith(`${collectionId}/`)) this.#rows.delete(key);
  }
}
