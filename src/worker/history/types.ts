// The read model of history: what the engine hands to tabs. Times are milliseconds since the epoch
// with one-second precision (Automerge records change times in seconds).

import type { ItemFields } from '../domain/collection-doc.ts';

export type VersionSource = 'collection' | 'body';

export interface ItemVersion {
  /** Opaque: 'c:<change hash>' for the collection document, 'b:<change hash>' for the body document. */
  id: string;
  time: number;
  /** The writing device's Automerge actor id, shortened. Not authenticated: see notes/stack.md. */
  actor: string;
  /** The user the change names as its author (did:key), when it names one. */
  author?: string;
  /** e.g. "Created", "Title changed, Tags: +a −b", "Body edited", "Deleted", "Restored". */
  summary: string;
  source: VersionSource;
}

export interface ItemSnapshot {
  title: string;
  body: string;
  /** Sorted. */
  tags: string[];
  deleted: boolean;
}

/** What to write, as one new change, to make an item look like an earlier version again. */
export interface RestorePlan {
  /** Only the fields that differ from the item now; empty when nothing does. */
  fields: ItemFields;
  /** Present when the deleted state differs: true = delete, false = restore. */
  deleted?: boolean;
}

export interface TimelineItem {
  itemId: string;
  /** The title right after the change (deleted items included, so they stay reachable). */
  title: string;
  deleted: boolean;
}

export interface TimelineEntry {
  hash: string;
  time: number;
  actor: string;
  /** The user the change names as its author (did:key), when it names one. */
  author?: string;
  summary: string;
  /** The touched items, in the order the change touched them, at most `itemsPerEntry`. */
  items: TimelineItem[];
  /** How many items the change touched in all. */
  itemCount: number;
}

export interface TimelineOptions {
  /** How many changes, newest first (default 50, at most 1,000). */
  limit?: number;
  /** How many of the newest changes to skip, for paging (default 0). */
  offset?: number;
  /** How many touched items to list per change (default 50). */
  itemsPerEntry?: number;
}

export interface DeletedItem {
  itemId: string;
  title: string;
  deletedAt: number;
}
