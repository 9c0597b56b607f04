// Catalog rows recently derived or read, least recently used dropped first. Successive searches
// (one per keystroke) then rarely touch IndexedDB, whose reads also queue behind the background row
// writes of a rebuild or an import.

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
