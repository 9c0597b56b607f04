// The collection document: the write model and unit of sync. Items live in a fixed set of buckets
// keyed by a hash of the item id, so a one-item edit touches a map of ~40 keys instead of 10,000
// (measured: ~6 ms per change on a flat 10k map, ~0.3 ms with buckets). All buckets are created with
// the document: two devices creating the same bucket concurrently would make two maps under one key,
// and one device's items would vanish behind the conflict.
//
// Strings are ImmutableString: plain strings become character-level text in Automerge 3, which made
// a 10k-item sync ~5x slower and ~10x larger. Collaborative body text lives in separate body documents.

import { ImmutableString } from '@automerge/automerge-repo/slim';

export const COLLECTION_KIND = 'pinax.collection';
export const COLLECTION_SCHEMA = 1;
export const BUCKET_COUNT = 256;

export interface ItemRecord {
  title: ImmutableString;
  /** Snapshot of the body for listing and search; the body document, when there is one, is authoritative. */
  body: ImmutableString;
  /** Automerge URL of the item's collaborative body document, set on its first body edit. */
  bodyDoc?: ImmutableString;
  /** A set: tag -> true. Map keys merge as a set when devices add tags concurrently. */
  tags: Record<string, true>;
  createdAt: number;
  updatedAt: number;
  /** Tombstone: the item stays in the document so history keeps it. */
  deletedAt?: number;
  /**
   * The user (did:key) whose engine last changed the item. Written by that engine; the relay and
   * every engine accept content changes only from editors and owners, so it names one of them.
   */
  author?: ImmutableString;
}

export interface CollectionDoc {
  kind: typeof COLLECTION_KIND;
  schema: number;
  name: ImmutableString;
  description: ImmutableString;
  createdAt: number;
  /**
   * When the collection itself (name, description) last changed. Item writes leave it alone: a put
   * outside the item made every item edit cost about 20% more (Node, a 10k-item collection loaded
   * from bytes: 0.98 against 0.82 ms per title edit). The collection's "updated" time is the later
   * of this and its items' (summarizeCollection).
   */
  updatedAt: number;
  deletedAt?: number;
  /** The creating user's did:key: the collection's first owner. Absent on older collections. */
  creator?: ImmutableString;
  /** Automerge URL of the collection's access document (members and roles). */
  access?: ImmutableString;
  /** Automerge URL of its requests-to-join document (anyone with the link may write it). */
  requests?: ImmutableString;
  /** Automerge URL of its social document: signed comments and likes (any member may write it). */
  social?: ImmutableString;
  buckets: Record<string, Record<string, ItemRecord>>;
}

export interface ItemFields {
  title?: string;
  body?: string;
  tags?: readonly string[];
}

export function initialCollection(name: string, description: string, now: number): CollectionDoc {
  const buckets: Record<string, Record<string, ItemRecord>> = {};
  for (let i = 0; i < BUCKET_COUNT; i++) buckets[bucketName(i)] = {};
  return {
    kind: COLLECTION_KIND,
    schema: COLLECTION_SCHEMA,
    name: new ImmutableString(name),
    description: new ImmutableString(description),
    createdAt: now,
    updatedAt: now,
    buckets,
  };
}

export function bucketOf(itemId: string): string {
  return bucketName(fnv1a(itemId) % BUCKET_COUNT);
}

/** The item record inside a (possibly hostile, possibly half-synced) document, or undefined. */
export function findItem(doc: CollectionDoc, itemId: string): ItemRecord | undefined {
  const bucket = doc.buckets?.[bucketOf(itemId)];
  const item = bucket?.[itemId];
  return item && typeof item === 'object' ? item : undefined;
}

// ---- mutations: called inside handle.change(); each writes only what differs ----

export function insertItem(
  doc: CollectionDoc,
  itemId: string,
  fields: ItemFields,
  now: number,
  author?: string,
): void {
  ensureBucket(doc, itemId)[itemId] = newRecord(fields, now, author);
}

/**
 * Inserts many items in one change. Each bucket is looked up once: every lookup through Automerge's
 * proxy is a wasm call, a measurable share of a 1,000-item import batch.
 */
export function insertItems(
  doc: CollectionDoc,
  items: ReadonlyArray<readonly [itemId: string, fields: ItemFields]>,
  now: number,
  author?: string,
): void {
  const buckets = new Map<string, Record<string, ItemRecord>>();
  for (const [itemId, fields] of items) {
    const name = bucketOf(itemId);
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = ensureBucket(doc, itemId);
      buckets.set(name, bucket);
    }
    bucket[itemId] = newRecord(fields, now, author);
  }
}

/** Returns true when anything changed. */
export function patchItem(
  doc: CollectionDoc,
  itemId: string,
  fields: ItemFields,
  now: number,
  author?: string,
): boolean {
  const item = findItem(doc, itemId);
  if (!item) return false;
  const writes = itemWrites(item, fields, hasConflict(item, 'title'), author);
  if (writes) applyItemWrites(doc, itemId, writes, now);
  return writes !== undefined;
}

/** What an item edit must write: only the fields that differ. */
export interface ItemWrites {
  title?: string;
  body?: string;
  addTags?: string[];
  removeTags?: string[];
  author?: string;
}

/**
 * Decides what an edit of `item` must write, or undefined when it changes nothing. The engine calls
 * this on the current document (plain objects) before the change, so that the change itself only
 * writes: inside `change()` every read goes through a proxy and costs a wasm call (in a 10k-item
 * collection the conflict lookup alone was ~0.15 ms of a ~1.4 ms change).
 *
 * `titleConflicted`: the title holds concurrent values, so writing it is a change even when it equals
 * the value shown (writing supersedes them all).
 */
export function itemWrites(
  item: ItemRecord,
  fields: ItemFields,
  titleConflicted: boolean,
  author?: string,
): ItemWrites | undefined {
  const writes: ItemWrites = {};
  let changed = false;
  if (fields.title !== undefined && (titleConflicted || readString(item.title) !== fields.title)) {
    writes.title = fields.title;
    changed = true;
  }
  if (fields.body !== undefined && readString(item.body) !== fields.body) {
    writes.body = fields.body;
    changed = true;
  }
  if (fields.tags !== undefined) {
    const wanted = new Set(fields.tags);
    const existing = item.tags && typeof item.tags === 'object' ? item.tags : {};
    const removeTags = Object.keys(existing).filter((tag) => !wanted.has(tag));
    const addTags = [...wanted].filter((tag) => existing[tag] !== true);
    if (removeTags.length > 0) writes.removeTags = removeTags;
    if (addTags.length > 0) writes.addTags = addTags;
    changed ||= removeTags.length > 0 || addTags.length > 0;
  }
  if (!changed) return undefined;
  if (author && readString(item.author) !== author) writes.author = author;
  return writes;
}

/** Writes `writes` (from itemWrites) to the item, inside `change()`, and stamps the times. */
export function applyItemWrites(doc: CollectionDoc, itemId: string, writes: ItemWrites, now: number): void {
  const item = findItem(doc, itemId);
  if (!item) return;
  if (writes.title !== undefined) item.title = new ImmutableString(writes.title);
  if (writes.body !== undefined) item.body = new ImmutableString(writes.body);
  if (writes.removeTags || writes.addTags) {
    if (!item.tags || typeof item.tags !== 'object') item.tags = {};
    for (const tag of writes.removeTags ?? []) delete item.tags[tag];
    for (const tag of writes.addTags ?? []) item.tags[tag] = true;
  }
  item.updatedAt = now;
  if (writes.author !== undefined) item.author = new ImmutableString(writes.author);
}

export function setDeleted(
  doc: CollectionDoc,
  itemId: string,
  deleted: boolean,
  now: number,
  author?: string,
): boolean {
  const item = findItem(doc, itemId);
  if (!item) return false;
  if (deleted === (item.deletedAt !== undefined)) return false;
  if (deleted) item.deletedAt = now;
  else delete item.deletedAt;
  item.updatedAt = now;
  if (author && readString(item.author) !== author) item.author = new ImmutableString(author);
  return true;
}

/**
 * Records who changed an item when only its body document changed. The caller checks on the current
 * document that the author differs (see itemWrites for why not inside the change).
 */
export function setAuthor(doc: CollectionDoc, itemId: string, author: string): void {
  const item = findItem(doc, itemId);
  if (item) item.author = new ImmutableString(author);
}

export function setBodyDoc(doc: CollectionDoc, itemId: string, url: string): void {
  const item = findItem(doc, itemId);
  if (item && readString(item.bodyDoc) !== url) item.bodyDoc = new ImmutableString(url);
}

/** Reads an ImmutableString, or a plain string written by an older or foreign client, defensively. */
export function readString(value: unknown): string {
  if (value instanceof ImmutableString) return value.val;
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { val?: unknown }).val === 'string')
    return (value as { val: string }).val;
  return '';
}

// ---- helpers ----

// Set by the engine so the pure module needs no wasm import; see Automerge.getConflicts.
let conflictReader: (obj: object, prop: string) => Record<string, unknown> | undefined = () => undefined;

export function useConflictReader(reader: typeof conflictReader): void {
  conflictReader = reader;
}

/** All concurrent values of a field, or [] when there is a single value. */
export function conflictingStrings(obj: object, prop: string): string[] {
  const conflicts = conflictReader(obj, prop);
  if (!conflicts) return [];
  const values = Object.values(conflicts).map(readString);
  return values.length > 1 ? values : [];
}

function hasConflict(obj: object, prop: string): boolean {
  return conflictingStrings(obj, prop).length > 1;
}

function newRecord(fields: ItemFields, now: number, author?: string): ItemRecord {
  return {
    ...(author ? { author: new ImmutableString(author) } : {}),
    title: new ImmutableString(fields.title ?? ''),
    body: new ImmutableString(fields.body ?? ''),
    tags: Object.fromEntries((fields.tags ?? []).map((t) => [t, true as const])),
    createdAt: now,
    updatedAt: now,
  };
}

function ensureBucket(doc: CollectionDoc, itemId: string): Record<string, ItemRecord> {
  const name = bucketOf(itemId);
  // Buckets are created with the document; this only repairs a document from a foreign writer.
  doc.buckets[name] ??= {};
  return doc.buckets[name];
}

function bucketName(index: number): string {
  return index.toString(16).padStart(2, '0');
}

/** 32-bit FNV-1a: tiny, fast and stable across devices and versions, which is all a bucket key needs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
