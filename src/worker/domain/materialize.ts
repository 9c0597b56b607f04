// The materializer: pure functions from a collection document (or its patches) to read-model rows.
// It runs on every change whatever its source (a command, another tab, the relay), so it is defensive
// about shape: a document that arrived over the network may hold anything.

import type { CollectionId, CollectionSummary, ItemDetail, ItemId, ItemSummary } from '../../shared/types.ts';
import type { CatalogRow } from '../db.ts';
import { itemKey, type IndexedDoc } from '../search/search-index.ts';
import type { CollectionDoc, ItemRecord } from './collection-doc.ts';
import { conflictingStrings, findItem, readString } from './collection-doc.ts';
import { markdownToText, mayHoldMarkup } from './markdown-text.ts';

export const SNIPPET_CHARS = 160;

/** `latestItemUpdate`: the latest updatedAt of any of its items, deleted ones included. */
export function summarizeCollection(
  id: CollectionId,
  doc: CollectionDoc,
  itemCount: number,
  latestItemUpdate: number,
): CollectionSummary {
  return {
    id,
    name: readString(doc.name),
    description: readString(doc.description),
    itemCount,
    createdAt: toTime(doc.createdAt),
    updatedAt: Math.max(toTime(doc.updatedAt), latestItemUpdate),
  };
}

/**
 * The latest updatedAt of the items named (all of them by default), deleted ones included: a
 * deletion is an update of the collection too. 0 when there are none.
 */
export function latestItemUpdate(doc: CollectionDoc, itemIds?: Iterable<string>): number {
  let latest = 0;
  const consider = (record: unknown) => {
    if (!record || typeof record !== 'object') return;
    const updatedAt = toTime((record as { updatedAt?: unknown }).updatedAt);
    if (updatedAt > latest) latest = updatedAt;
  };
  if (itemIds) {
    for (const id of itemIds) consider(findItem(doc, id));
    return latest;
  }
  const buckets = doc.buckets && typeof doc.buckets === 'object' ? doc.buckets : {};
  for (const bucket of Object.values(buckets))
    if (bucket && typeof bucket === 'object') for (const record of Object.values(bucket)) consider(record);
  return latest;
}

/** Every live (not deleted) item of the document. */
export function materializeItems(doc: CollectionDoc): Map<ItemId, ItemSummary> {
  const items = new Map<ItemId, ItemSummary>();
  const buckets = doc.buckets && typeof doc.buckets === 'object' ? doc.buckets : {};
  for (const bucket of Object.values(buckets)) {
    if (!bucket || typeof bucket !== 'object') continue;
    for (const [id, record] of Object.entries(bucket)) {
      const summary = summarizeItem(id as ItemId, record);
      if (summary) items.set(summary.id, summary);
    }
  }
  return items;
}

/** Whether a live item's title holds concurrent values (read from its cached row: no wasm call). */
export function hasTitleConflict(id: ItemId, record: ItemRecord | undefined): boolean {
  return (summarizeItem(id, record)?.titleConflicts.length ?? 0) > 0;
}

/** A row for one item, or undefined when it is deleted or malformed. */
export function summarizeItem(id: ItemId, record: ItemRecord | undefined): ItemSummary | undefined {
  if (!record || typeof record !== 'object' || record.deletedAt !== undefined) return undefined;
  return itemFields(id, record);
}

/**
 * The catalog row of one item, tombstones included (the catalog keeps deleted items so history and
 * the timeline can reach them); undefined when the record is missing or malformed.
 */
export function catalogRowOf(
  collectionId: string,
  itemId: string,
  record: ItemRecord | undefined,
): CatalogRow | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const live = itemFields(itemId as ItemId, record);
  return {
    collectionId,
    itemId,
    title: live.title,
    titleConflicts: live.titleConflicts,
    tags: live.tags,
    snippet: live.snippet,
    createdAt: live.createdAt,
    updatedAt: live.updatedAt,
    deleted: record.deletedAt !== undefined ? 1 : 0,
  };
}

/** What the search index holds of one live item. */
export function indexedDocOf(collectionId: string, itemId: string, record: ItemRecord): IndexedDoc {
  return {
    key: itemKey(collectionId, itemId),
    collectionId,
    itemId,
    title: readString(record.title),
    tags: record.tags && typeof record.tags === 'object' ? Object.keys(record.tags) : [],
    body: readString(record.body),
  };
}

/** Every item id in the document, deleted ones included. */
export function allItemIds(doc: CollectionDoc): string[] {
  const ids: string[] = [];
  const buckets = doc.buckets && typeof doc.buckets === 'object' ? doc.buckets : {};
  for (const bucket of Object.values(buckets)) {
    if (bucket && typeof bucket === 'object') ids.push(...Object.keys(bucket));
  }
  return ids;
}

export function detailOf(
  id: ItemId,
  record: ItemRecord | undefined,
  body: string | undefined,
): ItemDetail | undefined {
  const summary = summarizeItem(id, record);
  if (!summary || !record) return undefined;
  const author = readString(record.author);
  return {
    ...summary,
    body: body ?? readString(record.body),
    hasBodyDoc: readString(record.bodyDoc) !== '',
    ...(author ? { author } : {}),
  };
}

/**
 * Which items a set of patches touched. Paths look like ['buckets', bucket, itemId, ...]; a patch
 * that replaces a whole bucket or the bucket map, or no patches at all, means "re-read everything".
 */
export function touchedItems(patches: ReadonlyArray<{ path: ReadonlyArray<string | number> }>): {
  all: boolean;
  ids: Set<ItemId>;
  meta: boolean;
} {
  const ids = new Set<ItemId>();
  // A change with no patches is a document appearing whole (see patches/README.md): nothing says
  // what changed, so everything is re-read.
  let all = patches.length === 0;
  let meta = false;
  for (const { path } of patches) {
    if (path[0] !== 'buckets') {
      meta = true;
      continue;
    }
    const itemId = path[2];
    if (typeof itemId === 'string') ids.add(itemId as ItemId);
    else all = true;
  }
  return { all, ids, meta };
}

export function makeSnippet(body: string): string {
  // Only the start of the body is read: bodies run to 100 KB, and a snippet is computed for every
  // item an import or a sync brings. The window starts just past the snippet's length (most text
  // folds little) and grows only when the body opens with lots of space or markup. Starting at 4
  // times the length, 10k benchmark bodies took 90 ms in Node; then 18 ms.
  let window = SNIPPET_CHARS + 32;
  let [flat, readTo] = windowText(body, window);
  while (flat.length <= SNIPPET_CHARS && readTo < body.length) {
    window *= 4;
    [flat, readTo] = windowText(body, window);
  }
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat;
}

/**
 * The plain, space-folded text of the body's first `window` characters, and where its reading
 * ended. Markdown is read on to the end of the line, so no markup is cut in two (markdownToText
 * works line by line), unless the line runs on for more than LINE_SLACK characters.
 */
function windowText(body: string, window: number): [text: string, readTo: number] {
  const start = body.slice(0, window);
  // Markup that changes the window's text starts inside it: without any, the window is plain text.
  if (!mayHoldMarkup(start)) return [foldSpace(start), window];
  const lineEnd = body.indexOf('\n', window);
  const end = lineEnd === -1 || lineEnd - window > LINE_SLACK ? window + LINE_SLACK : lineEnd;
  return [foldSpace(markdownToText(body.slice(0, end))), end];
}

/** How far past its window a snippet reads to finish a line. */
const LINE_SLACK = 256;

function foldSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function itemFields(id: ItemId, record: ItemRecord): ItemSummary {
  const known = fieldsByRecord.get(record);
  if (known?.id === id) return known;
  const fields = deriveFields(id, record);
  fieldsByRecord.set(record, fields);
  return fields;
}

/**
 * The list (LiveCollection) and the catalog derive rows from the same record objects, and Automerge
 * keeps the identity of every object a change did not touch (a changed item, conflicts included, is
 * a new object). So a record seen before has the same fields: a fresh 10k-item load folds each
 * snippet once instead of twice. Summaries are shared, so nobody may mutate one.
 */
const fieldsByRecord = new WeakMap<object, ItemSummary>();

function deriveFields(id: ItemId, record: ItemRecord): ItemSummary {
  // Concurrent title edits each bump updatedAt, so an item never edited since its creation cannot
  // hold a title conflict: skipping the lookup (a wasm call per item) saves ~150 ms when a fresh
  // device materializes 10k items.
  const titleConflicts = record.updatedAt === record.createdAt ? [] : conflictingStrings(record, 'title');
  return {
    id,
    title: readString(record.title),
    titleConflicts,
    tags: record.tags && typeof record.tags === 'object' ? Object.keys(record.tags).sort() : [],
    snippet: makeSnippet(readString(record.body)),
    createdAt: toTime(record.createdAt),
    updatedAt: toTime(record.updatedAt),
  };
}

function toTime(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
