// Joined collections that the stored search index covers less far than their catalog at start-up:
// none stored, an older format, or saved before the last changes (the index is saved a few seconds
// after changes settle, so a restart right after an import or a sync loads an older one). Until the
// collection's document has loaded and its read models have caught up, a search would say "No items
// match" for items it is about to find; these gaps let it say "indexing" instead.

import type { ReadModelStateRow } from '../db.ts';
import { sameHeads } from '../doc-heads.ts';

/** Items of a collection that the stored index is missing, of how many it has. */
export interface IndexGap {
  pending: number;
  total: number;
}

/**
 * The gaps of the joined collections (`rows`, with their item counts), given the heads the stored
 * index was saved at and those the stored catalog was derived from (`states`). A collection whose
 * index and catalog were saved at the same heads has none; nor has one with nothing missing.
 */
export function indexGaps(
  rows: ReadonlyArray<{ id: string; itemCount: number }>,
  states: readonly ReadModelStateRow[],
  indexHeads: Readonly<Record<string, readonly string[]>>,
  indexedCount: (collectionId: string) => number,
): Map<string, IndexGap> {
  const catalogHeads = new Map(states.map((state) => [state.collectionId, state.heads]));
  const gaps = new Map<string, IndexGap>();
  for (const { id, itemCount } of rows) {
    const indexed = indexHeads[id];
    const catalog = catalogHeads.get(id);
    if (indexed && catalog && sameHeads(indexed, catalog)) continue;
    const missing = itemCount - indexedCount(id);
    if (missing > 0) gaps.set(id, { pending: missing, total: itemCount });
  }
  return gaps;
}
