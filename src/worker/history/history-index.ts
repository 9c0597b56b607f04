// History of one collection document, cached: the engine keeps one HistoryIndex per open
// collection and asks it for item histories and the timeline. What it keeps:
// - the metadata of every change (hash, actor, time, deps, op range), caught up incrementally from
//   the heads it last saw (no decoding);
// - per item, the changes that wrote to it and what each did (found by walking the item's own
//   values back in time, see item-walk.ts; extended, not recomputed, when the document moves on);
// - per shown change, which items it touched (decoded once, on demand, see change-touches.ts).
// Everything cached is a fact about an immutable change, so nothing is ever invalidated, except
// when a document that does not continue the previous one is passed in (then it starts over).
//
// Versions and concurrency: the state "at" a collection change X is the document at heads [X],
// i.e. X and its ancestors only. A concurrent change made on another device before X (by the clock)
// is not in it; it is its own version. Collection and body documents have no causal link, so they
// are interleaved by change time (seconds; on equal times the collection change counts as earlier,
// because a body document is only created for an item that exists): a collection version shows
// the body after the last body edit made before it, and a body version shows the item after the
// last collection change to it made no later (or its first one, if clocks disagree).

import type { ItemFields } from '../domain/collection-doc.ts';
import { readString } from '../domain/collection-doc.ts';
import { BodyHistory } from './body-versions.ts';
import type { ChangeInfo } from './change-log.ts';
import { ChangeLog } from './change-log.ts';
import type { ChangeTouches, ObjectCache } from './change-touches.ts';
import { summarizeTouches, touchesOf } from './change-touches.ts';
import { DocReader } from './doc-reader.ts';
import type { FieldDelta, ItemState } from './item-state.ts';
import { deltaOf, describe, itemObjectAt, readItemAt } from './item-state.ts';
import { itemWriters } from './item-walk.ts';
import type {
  ItemSnapshot,
  ItemVersion,
  RestorePlan,
  TimelineEntry,
  TimelineItem,
  TimelineOptions,
} from './types.ts';

export interface HistoryIndexOptions {
  /** Items whose history is kept (least recently asked for is dropped first). Default 256. */
  maxItems?: number;
  /** Decoded changes kept for the timeline. Default 2,000. */
  maxChanges?: number;
}

export class HistoryIndex {
  readonly #log = new ChangeLog();
  readonly #items = new Map<string, { heads: string; writers: Map<string, FieldDelta> }>();
  readonly #touches = new Map<string, ChangeTouches>();
  readonly #objects: ObjectCache = new Map();
  readonly #maxItems: number;
  readonly #maxChanges: number;

  constructor(options: HistoryIndexOptions = {}) {
    this.#maxItems = options.maxItems ?? 256;
    this.#maxChanges = options.maxChanges ?? 2_000;
  }

  /** Catches up with the document (metadata of new changes only). Queries do this themselves. */
  update(collectionDoc: unknown): void {
    if (this.#log.update(collectionDoc) !== 'reset') return;
    this.#items.clear();
    this.#touches.clear();
    this.#objects.clear();
  }

  /** The item's versions, newest first, from the collection and (when given) its body document. */
  itemHistory(collectionDoc: unknown, itemId: string, bodyDoc?: unknown): ItemVersion[] {
    const reader = this.#open(collectionDoc);
    if (!reader || !isItemId(itemId)) return [];
    const bodies = BodyHistory.of(bodyDoc);
    const versions: Array<{ version: ItemVersion; order: number; rank: number }> = [];
    for (const [hash, delta] of this.#writers(reader, itemId)) {
      const summary = describe(delta, bodies !== undefined && delta.hasBodyDoc);
      const change = this.#log.get(hash);
      if (summary && change) versions.push(entry('c', 'collection', change, summary, 0));
    }
    for (const change of bodies?.versions() ?? [])
      versions.push(entry('b', 'body', change, 'Body edited', 1));
    versions.sort((a, b) => b.version.time - a.version.time || b.rank - a.rank || b.order - a.order);
    return versions.map((v) => v.version);
  }

  /** The item as it was at a version (or any collection change), or undefined for a bad id. */
  itemAtVersion(
    collectionDoc: unknown,
    itemId: string,
    bodyDoc: unknown,
    versionId: string,
  ): ItemSnapshot | undefined {
    const version = parseVersionId(versionId);
    const reader = this.#open(collectionDoc);
    if (!version || !reader || !isItemId(itemId)) return undefined;
    if (version.source === 'c') {
      const change = this.#log.get(version.hash);
      const state = change && readItemAt(reader, itemId, [change.hash]);
      if (!change || !state) return undefined;
      return snapshotOf(state, BodyHistory.of(bodyDoc)?.textBefore(change.time) ?? state.body);
    }
    const bodies = BodyHistory.of(bodyDoc);
    const edit = bodies?.version(version.hash);
    if (!bodies || !edit) return undefined;
    const writers = [...this.#writers(reader, itemId).keys()]
      .map((hash) => this.#log.get(hash))
      .filter((change) => change !== undefined)
      .sort((a, b) => a.time - b.time || a.order - b.order);
    const pair = writers.filter((change) => change.time <= edit.time).at(-1) ?? writers[0];
    const state = pair && readItemAt(reader, itemId, [pair.hash]);
    return state && snapshotOf(state, bodies.textAt([edit.hash]) ?? state.body);
  }

  /** The fields to write, as a new change, to bring the item back to a version. */
  restorePlan(
    collectionDoc: unknown,
    itemId: string,
    bodyDoc: unknown,
    versionId: string,
  ): RestorePlan | undefined {
    const target = this.itemAtVersion(collectionDoc, itemId, bodyDoc, versionId);
    const reader = DocReader.of(collectionDoc);
    const current = reader && readItemAt(reader, itemId);
    if (!target || !current) return undefined;
    const body = BodyHistory.of(bodyDoc)?.textAt() ?? current.body;
    const fields: ItemFields = {};
    if (target.title !== current.title) fields.title = target.title;
    if (target.body !== body) fields.body = target.body;
    if (target.tags.join('\u0000') !== current.tags.join('\u0000')) fields.tags = target.tags;
    return target.deleted === current.deleted ? { fields } : { fields, deleted: target.deleted };
  }

  /** The newest changes of the collection with the items each touched (deleted ones included). */
  timeline(collectionDoc: unknown, options: TimelineOptions = {}): TimelineEntry[] {
    const reader = this.#open(collectionDoc);
    if (!reader) return [];
    const limit = clampInt(options.limit, 50, 1_000);
    const offset = clampInt(options.offset, 0, Number.MAX_SAFE_INTEGER);
    const perEntry = clampInt(options.itemsPerEntry, 50, 10_000);
    return this.#log
      .newestFirst()
      .slice(offset, offset + limit)
      .map((change) => {
        const touches = this.#touchesOf(collectionDoc, reader, change.hash);
        const ids = [...touches.items.keys()].slice(0, perEntry);
        return {
          hash: change.hash,
          time: change.time * 1000,
          actor: shortActor(change.actor),
          ...(change.author ? { author: change.author } : {}),
          summary: summarizeTouches(touches, change.deps.length === 0),
          items: ids.map((itemId) => timelineItem(reader, itemId, change)),
          itemCount: touches.items.size,
        };
      });
  }

  #open(collectionDoc: unknown): DocReader | undefined {
    this.update(collectionDoc);
    return DocReader.of(collectionDoc);
  }

  /** Every change that wrote to the item, with what it did, extended from the last call. */
  #writers(reader: DocReader, itemId: string): Map<string, FieldDelta> {
    const heads = this.#log.heads.join(',');
    const cached = this.#items.get(itemId);
    this.#items.delete(itemId);
    const writers = cached?.writers ?? new Map<string, FieldDelta>();
    if (cached?.heads !== heads) {
      for (const hash of itemWriters(reader, this.#log, itemId, new Set(writers.keys()))) {
        const change = this.#log.get(hash);
        if (!change) continue;
        const before = change.deps.length > 0 ? readItemAt(reader, itemId, change.deps) : undefined;
        writers.set(hash, deltaOf(before, readItemAt(reader, itemId, [hash])));
      }
    }
    this.#items.set(itemId, { heads, writers });
    evictOldest(this.#items, this.#maxItems);
    return writers;
  }

  #touchesOf(doc: unknown, reader: DocReader, hash: string): ChangeTouches {
    let touches = this.#touches.get(hash);
    if (!touches) {
      if (this.#objects.size > 500_000) this.#objects.clear();
      touches = touchesOf(doc, hash, reader, this.#objects) ?? { items: new Map(), details: false };
      this.#touches.set(hash, touches);
      evictOldest(this.#touches, this.#maxChanges);
    }
    return touches;
  }
}

export function parseVersionId(versionId: unknown): { source: 'c' | 'b'; hash: string } | undefined {
  if (typeof versionId !== 'string') return undefined;
  const match = /^([cb]):([0-9a-f]{64})$/.exec(versionId);
  return match ? { source: match[1] as 'c' | 'b', hash: match[2]! } : undefined;
}

export function shortActor(actor: string): string {
  return actor.slice(0, 8);
}

function entry(
  prefix: 'c' | 'b',
  source: ItemVersion['source'],
  change: ChangeInfo,
  summary: string,
  rank: number,
) {
  const version: ItemVersion = {
    id: `${prefix}:${change.hash}`,
    time: change.time * 1000,
    actor: shortActor(change.actor),
    ...(change.author ? { author: change.author } : {}),
    summary,
    source,
  };
  return { version, order: change.order, rank };
}

function snapshotOf(state: ItemState, body: string): ItemSnapshot {
  return { title: state.title, body, tags: [...state.tags], deleted: state.deleted };
}

function timelineItem(reader: DocReader, itemId: string, change: ChangeInfo): TimelineItem {
  // Read right after the change; an item whose key the change removed is read just before it.
  for (const heads of [[change.hash], change.deps]) {
    const object = heads.length > 0 ? itemObjectAt(reader, itemId, heads) : undefined;
    if (object === undefined) continue;
    const title = readString(reader.scalar(object, 'title', heads));
    const deleted = heads !== change.deps ? reader.scalar(object, 'deletedAt', heads) !== undefined : true;
    return { itemId, title, deleted };
  }
  return { itemId, title: '', deleted: true };
}

function isItemId(itemId: unknown): itemId is string {
  return typeof itemId === 'string' && itemId.length > 0;
}

function clampInt(value: unknown, fallback: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(0, Math.floor(value)));
}

function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
