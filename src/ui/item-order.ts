// The rows of a collection's list in display order (newest first by creation, so rows don't jump
// while someone types in one of them), kept current from the engine's patches. A patch that only
// changes existing rows replaces them in place: a one-item edit in a 10k-item collection costs a
// copy of the array, not a re-sort.

import type { ItemId, ItemSummary } from '../shared/types.ts';

export interface ItemOrder {
  /** Starts over from a full list; returns the rows in order. */
  reset(items: readonly ItemSummary[]): ItemSummary[];
  /** Applies a patch; returns a new array of rows in order (the previous one is left as it was). */
  patch(upserts: readonly ItemSummary[], removed: readonly ItemId[]): ItemSummary[];
}

export function makeItemOrder(): ItemOrder {
  const byId = new Map<ItemId, ItemSummary>();
  let rows: ItemSummary[] = [];
  let position = new Map<ItemId, number>();

  const reorder = () => {
    rows = [...byId.values()].sort(newestFirst);
    position = new Map(rows.map((row, index) => [row.id, index]));
    return rows;
  };

  return {
    reset(items) {
      byId.clear();
      for (const item of items) byId.set(item.id, item);
      return reorder();
    },
    patch(upserts, removed) {
      let resort = removed.length > 0;
      for (const row of upserts) {
        if (byId.get(row.id)?.createdAt !== row.createdAt) resort = true; // new, or moved
        byId.set(row.id, row);
      }
      for (const id of removed) byId.delete(id);
      if (resort) return reorder();
      rows = rows.slice();
      for (const row of upserts) rows[position.get(row.id)!] = row;
      return rows;
    },
  };
}

function newestFirst(a: ItemSummary, b: ItemSummary): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);
}
