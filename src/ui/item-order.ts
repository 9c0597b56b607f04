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
      // Rows that leave their place (moved or removed), and rows to place (new or moved).
      const leaving = new Set<ItemId>();
      const arriving = new Set<ItemId>();
      for (const row of upserts) {
        const before = byId.get(row.id);
        byId.set(row.id, row);
        if (before?.createdAt === row.createdAt) continue;
        if (before) leaving.add(row.id);
        arriving.add(row.id);
      }
      for (const id of removed) if (byId.delete(id)) leaving.add(id);
      if (leaving.size === 0 && arriving.size === 0) {
        rows = rows.slice();
        for (const row of upserts) rows[position.get(row.id)!] = row;
        return rows;
      }
      // The rows staying put keep their order: only the arrivals are sorted, then merged in. An
      // import's rows arrive a slice at a time, and sorting all 10k rows for each slice kept the
      // tab busy for as long as the import's indexing.
      const staying: ItemSummary[] = [];
      for (const row of rows) if (!leaving.has(row.id)) staying.push(byId.get(row.id)!);
      const incoming: ItemSummary[] = [];
      for (const id of arriving) {
        const row = byId.get(id);
        if (row) incoming.push(row);
      }
      rows = mergeSorted(staying, incoming.sort(newestFirst));
      position = new Map(rows.map((row, index) => [row.id, index]));
      return rows;
    },
  };
}

function newestFirst(a: ItemSummary, b: ItemSummary): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);
}

/** Two lists already in newestFirst order, as one. */
function mergeSorted(a: readonly ItemSummary[], b: readonly ItemSummary[]): ItemSummary[] {
  const out: ItemSummary[] = new Array<ItemSummary>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = newestFirst(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
