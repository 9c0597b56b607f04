// Item history and the collection timeline, read from the operation log (the source of truth);
// nothing here writes. These are the stateless entry points: each builds a throwaway HistoryIndex.
// The engine should keep one HistoryIndex per open collection instead, so repeated questions cost
// only what changed since the last one.
//
// Documents are treated as hostile: any shape, any version id. Nothing here throws; what cannot be
// read is skipped.

import { readString } from '../domain/collection-doc.ts';
import { HistoryIndex } from './history-index.ts';
import type {
  DeletedItem,
  ItemSnapshot,
  ItemVersion,
  RestorePlan,
  TimelineEntry,
  TimelineOptions,
} from './types.ts';

export type {
  DeletedItem,
  ItemSnapshot,
  ItemVersion,
  RestorePlan,
  TimelineEntry,
  TimelineItem,
  TimelineOptions,
  VersionSource,
} from './types.ts';
export { HistoryIndex } from './history-index.ts';
export type { HistoryIndexOptions } from './history-index.ts';

/**
 * An item's versions, newest first: collection changes that changed something visible about it,
 * and, when its body document is given (`handle.doc()` of the item's bodyDoc URL), every edit of
 * the body. With the body document, the collection's copies of its text are not listed again.
 */
export function itemHistory(collectionDoc: unknown, itemId: string, bodyDoc?: unknown): ItemVersion[] {
  return new HistoryIndex().itemHistory(collectionDoc, itemId, bodyDoc);
}

/**
 * The item right after a version (read-only). `versionId` is a version's id, or 'c:<hash>' of any
 * collection change in which the item exists. Undefined for an unknown or malformed id, a body
 * version without its body document, or an item that did not exist then.
 */
export function itemAtVersion(
  collectionDoc: unknown,
  itemId: string,
  bodyDoc: unknown,
  versionId: string,
): ItemSnapshot | undefined {
  return new HistoryIndex().itemAtVersion(collectionDoc, itemId, bodyDoc, versionId);
}

/**
 * What to write to bring an item back to a version: history is never rewritten, the caller applies
 * the plan as a new change (title and tags to the collection, body to the body document, then
 * delete or restore). Undefined when the version or the item cannot be read.
 */
export function restorePlan(
  collectionDoc: unknown,
  itemId: string,
  bodyDoc: unknown,
  versionId: string,
): RestorePlan | undefined {
  return new HistoryIndex().restorePlan(collectionDoc, itemId, bodyDoc, versionId);
}

/** The newest changes of the whole collection, each with the items it touched. */
export function collectionTimeline(collectionDoc: unknown, options: TimelineOptions = {}): TimelineEntry[] {
  return new HistoryIndex().timeline(collectionDoc, options);
}

/** Every tombstoned item of the document as it is now, most recently deleted first. */
export function deletedItems(collectionDoc: unknown): DeletedItem[] {
  const found: DeletedItem[] = [];
  const buckets = isRecord(collectionDoc) ? collectionDoc.buckets : undefined;
  if (!isRecord(buckets)) return found;
  for (const bucket of Object.values(buckets)) {
    if (!isRecord(bucket)) continue;
    for (const [itemId, record] of Object.entries(bucket)) {
      if (!isRecord(record) || record.deletedAt === undefined) continue;
      const deletedAt =
        typeof record.deletedAt === 'number' && Number.isFinite(record.deletedAt) ? record.deletedAt : 0;
      found.push({ itemId, title: readString(record.title), deletedAt });
    }
  }
  return found.sort((a, b) => b.deletedAt - a.deletedAt || (a.itemId < b.itemId ? -1 : 1));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
