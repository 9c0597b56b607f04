// Makes a collection document that was loaded from bytes cheap to edit, without changing it.
//
// Why (Automerge 3.5): every value's bytes (titles, ~1 KB bodies, numbers) live in one raw column,
// and a document loaded from bytes (storage, a snapshot, or many changes applied at once) gets that
// column as a single slab, which an insert splits only at its own position, copying what follows.
// Measured in Node on a 10k-item document loaded from bytes: the first edits of random items took
// p50 0.9 ms, p95 8.7 ms, and wasm memory grew by 20 MB over 400 of them (profiled: hexane's
// raw::splice_slab). An item edit writes its title and updatedAt, whose values sit side by side,
// and that pair was the slow case: either alone stayed under 0.7 ms at p95. Sweeping from the front
// of the column is worst: 400 such edits in one change took 11 s and 2 GB.
//
// The cure is to split the column from the back: write a throwaway value into every k-th item, last
// object first, so each split copies only the ~k items after it, then roll the transaction back. The
// rollback removes the values and keeps the splits, so the document, its heads and its bytes are
// unchanged and nothing is synced or stored. Measured after it (same document): edits p50 0.41 ms,
// p95 0.55 ms, no memory growth; the split itself took ~45 ms for 10k items.
//
// The value written must differ from the current one: Automerge drops a put of an equal value.

import { Automerge } from '@automerge/automerge-repo/slim';

/** The part of a collection document (src/worker/domain/collection-doc.ts) this reads and writes. */
export interface BucketedItems {
  buckets?: Record<string, Record<string, { updatedAt?: number } | undefined> | undefined>;
}

/** About 70 KB of values per slab with 1 KB bodies: a split there copies well under a millisecond. */
export const ITEMS_PER_SLAB = 64;

/** An item to write into, named by its place in the document, in the order the splits must happen. */
export interface SplitPoint {
  bucket: string;
  itemId: string;
}

/**
 * The items to write into, back to front in the document's own op order (objects sort by the id of
 * the op that created them: counter, then actor), one every `itemsPerSlab`. Empty for a small
 * document, whose column is cheap to copy anyway.
 */
export function splitPoints(doc: Automerge.Doc<BucketedItems>, itemsPerSlab = ITEMS_PER_SLAB): SplitPoint[] {
  const items = itemObjectsOf(doc);
  if (items.length < 2 * itemsPerSlab) return [];
  items.sort((a, b) => b.counter - a.counter || (a.actor < b.actor ? 1 : a.actor > b.actor ? -1 : 0));
  const points: SplitPoint[] = [];
  for (let i = itemsPerSlab - 1; i < items.length; i += itemsPerSlab) points.push(items[i]!.point);
  return points;
}

/**
 * Splits the document's value column at `points` (from splitPoints, in that order) inside a change
 * that is rolled back: the document is left exactly as it was. Returns how many splits were made.
 */
export function splitValueColumn(doc: Automerge.Doc<BucketedItems>, points: readonly SplitPoint[]): number {
  if (points.length === 0) return 0;
  let made = 0;
  try {
    Automerge.change(doc, (draft) => {
      for (const { bucket, itemId } of points) {
        const item = draft.buckets?.[bucket]?.[itemId];
        if (!item) continue;
        const current = typeof item.updatedAt === 'number' ? item.updatedAt : 0;
        item.updatedAt = current + 1;
        made++;
      }
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return made;
}

/**
 * Splits a loaded document's value column once nothing is loading (`whenIdle`), in chunks of one
 * task each so a 100k-item collection does not hold the engine for long. `readDoc` gives the current
 * document: it may change between chunks. Returns how many splits were made.
 */
export async function splitLoadedDocument(
  readDoc: () => Automerge.Doc<BucketedItems> | undefined,
  whenIdle: () => Promise<void>,
  { itemsPerSlab = ITEMS_PER_SLAB, pointsPerTask = POINTS_PER_TASK } = {},
): Promise<number> {
  await whenIdle();
  const first = readDoc();
  if (!first) return 0;
  const points = splitPoints(first, itemsPerSlab);
  let made = 0;
  for (let start = 0; start < points.length; start += pointsPerTask) {
    if (start > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    const doc = readDoc();
    if (!doc) break;
    made += splitValueColumn(doc, points.slice(start, start + pointsPerTask));
  }
  return made;
}

/**
 * ~25 ms of work per task in a fresh browser engine: 100 splits took ~100 ms there, with the code
 * still cold (in Node, 156 splits took ~45 ms for 10k items).
 */
const POINTS_PER_TASK = 25;

const ROLLBACK = new Error('value column split: rolled back on purpose');

/** The id of the map at `key` in object `parent`, or undefined when it is missing or not a map. */
function objectIdAt(
  backend: ReturnType<typeof Automerge.getBackend>,
  parent: string,
  key: string,
): string | undefined {
  const found = backend.getWithType(parent, key);
  return found?.[0] === 'map' ? found[1] : undefined;
}

interface ItemObject {
  counter: number;
  actor: string;
  point: SplitPoint;
}

/**
 * Every item's object id, read from the document's JS value when it has one: a just-loaded
 * document's map lookups through the backend cost ~80 µs each in the browser (its columns are one
 * slab, the very thing being fixed), so 1,000 items took ~90 ms that way. The relay's documents have
 * no JS value (src/server/document-value.ts): theirs are read through the backend.
 */
function itemObjectsOf(doc: Automerge.Doc<BucketedItems>): ItemObject[] {
  const buckets = doc.buckets;
  if (buckets && Object.keys(buckets).length > 0) return itemObjectsFromValue(buckets);
  return itemObjectsFromBackend(Automerge.getBackend(doc));
}

function itemObjectsFromValue(buckets: NonNullable<BucketedItems['buckets']>): ItemObject[] {
  const items: ItemObject[] = [];
  for (const [bucket, records] of Object.entries(buckets)) {
    if (!records || typeof records !== 'object') continue;
    for (const [itemId, item] of Object.entries(records)) {
      if (!item || typeof item !== 'object') continue;
      const objectId = Automerge.getObjectId(item);
      if (objectId) pushItem(items, objectId, { bucket, itemId });
    }
  }
  return items;
}

function itemObjectsFromBackend(backend: ReturnType<typeof Automerge.getBackend>): ItemObject[] {
  const items: ItemObject[] = [];
  const bucketsId = objectIdAt(backend, '_root', 'buckets');
  for (const bucket of bucketsId ? backend.keys(bucketsId) : []) {
    const recordsId = objectIdAt(backend, bucketsId!, bucket);
    if (!recordsId) continue;
    for (const itemId of backend.keys(recordsId)) {
      const objectId = objectIdAt(backend, recordsId, itemId);
      if (objectId) pushItem(items, objectId, { bucket, itemId });
    }
  }
  return items;
}

function pushItem(items: ItemObject[], objectId: string, point: SplitPoint): void {
  const at = objectId.indexOf('@');
  if (at < 0) return;
  items.push({ counter: Number(objectId.slice(0, at)), actor: objectId.slice(at + 1), point });
}
