// An item as the collection document held it at some heads, and what a change did to it, in the
// words the history shows ("Title changed, Tags: +a −b").

import { bucketOf, readString } from '../domain/collection-doc.ts';
import type { DocReader, Heads } from './doc-reader.ts';

export interface ItemState {
  title: string;
  /** The collection's snapshot of the body (the body document, when there is one, is authoritative). */
  body: string;
  bodyDoc: string;
  tags: string[];
  deleted: boolean;
}

/** What one change did to one item. */
export interface FieldDelta {
  created: boolean;
  /** The item's key was deleted from its bucket (never done by Pinax; a foreign writer could). */
  removed: boolean;
  title: boolean;
  body: boolean;
  tagsAdded: string[];
  tagsRemoved: string[];
  deleted: boolean;
  restored: boolean;
  /** The item had a body document after the change: a body change is then a snapshot copy. */
  hasBodyDoc: boolean;
}

/** The item (the value that wins any conflict) at heads, or undefined when absent or unreadable. */
export function readItemAt(reader: DocReader, itemId: string, heads?: Heads): ItemState | undefined {
  const object = itemObjectAt(reader, itemId, heads);
  return object === undefined ? undefined : toItemState(reader.materialize(object, heads));
}

export function itemObjectAt(reader: DocReader, itemId: string, heads?: Heads): string | undefined {
  const buckets = reader.map('_root', 'buckets', heads);
  const bucket = buckets === undefined ? undefined : reader.map(buckets, bucketOf(itemId), heads);
  return bucket === undefined ? undefined : reader.map(bucket, itemId, heads);
}

export function deltaOf(before: ItemState | undefined, after: ItemState | undefined): FieldDelta {
  const delta = emptyDelta();
  if (!after) {
    delta.removed = before !== undefined;
    return delta;
  }
  delta.hasBodyDoc = after.bodyDoc !== '';
  if (!before) {
    delta.created = true;
    return delta;
  }
  delta.title = before.title !== after.title;
  delta.body = before.body !== after.body;
  delta.tagsAdded = after.tags.filter((tag) => !before.tags.includes(tag));
  delta.tagsRemoved = before.tags.filter((tag) => !after.tags.includes(tag));
  delta.deleted = !before.deleted && after.deleted;
  delta.restored = before.deleted && !after.deleted;
  return delta;
}

/**
 * The summary of a delta, or '' when nothing a user sees changed (only updatedAt or the body
 * document link). `bodyIsSnapshot`: body changes only copy the body document, which has its own
 * versions, so they are not shown again.
 */
export function describe(delta: FieldDelta, bodyIsSnapshot = false): string {
  if (delta.created) return 'Created';
  if (delta.removed) return 'Removed';
  const parts: string[] = [];
  if (delta.title) parts.push('Title changed');
  if (delta.body && !bodyIsSnapshot) parts.push('Body edited');
  if (delta.tagsAdded.length > 0 || delta.tagsRemoved.length > 0) {
    const tags = [...delta.tagsAdded.map((t) => `+${t}`), ...delta.tagsRemoved.map((t) => `−${t}`)];
    parts.push(`Tags: ${tags.join(' ')}`);
  }
  if (delta.deleted) parts.push('Deleted');
  if (delta.restored) parts.push('Restored');
  return parts.join(', ');
}

export function emptyDelta(): FieldDelta {
  return {
    created: false,
    removed: false,
    title: false,
    body: false,
    tagsAdded: [],
    tagsRemoved: [],
    deleted: false,
    restored: false,
    hasBodyDoc: false,
  };
}

function toItemState(raw: unknown): ItemState | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const tags = record.tags;
  return {
    title: readString(record.title),
    body: readString(record.body),
    bodyDoc: readString(record.bodyDoc),
    tags: tags && typeof tags === 'object' && !Array.isArray(tags) ? Object.keys(tags).sort() : [],
    // Same rule as the materializer: any deletedAt value is a tombstone.
    deleted: record.deletedAt !== undefined,
  };
}
