// The engine's full-text index over every item of every open collection, with tag facets and a
// versioned snapshot format.
//
// Query semantics: the query is split into words (the same Unicode tokenizer as indexing, see
// src/shared/highlight.ts); every word must match (AND); every word matches as a prefix ("alp" finds
// "alpha") and, from 4 characters on, fuzzily (see fuzziness() in query.ts). Scoring is BM25 per
// field; title matches outweigh tag matches, which outweigh body matches (see query.ts).
//
// Layout (see each file): MiniSearch's SearchableMap (a radix tree, for prefix and fuzzy lookups) maps
// each term to a numeric id; postings.ts keeps every term's postings in typed arrays; documents.ts
// keeps per-document data by dense numeric id; index-state.ts adds and removes documents (removal is
// lazy, with compaction); query.ts runs queries; snapshot.ts reads and writes snapshots. MiniSearch's
// own query path builds a result object per match, which is too slow when a query matches most of
// 100,000 items; here a query's per-document work is a few typed-array reads and writes.

import { searchTerms } from '../../shared/highlight.ts';
import { IndexState } from './index-state.ts';
import { countTags, listTagged, noResults, searchWords } from './query.ts';
import type { QueryFilter } from './query.ts';
import { copyState, encodeSnapshot, stateOf } from './snapshot.ts';
import type { SnapshotBody } from './snapshot.ts';

/**
 * Only this many characters of a body are indexed; the item keeps its whole body, only search stops
 * looking further. The goal is 100,000 items in one engine: the index costs memory and query time in
 * proportion to the postings it holds, so one very long document must not cost as much as hundreds
 * of items. 4,000 characters (~600 words, several screens) still covers the whole of a typical item.
 *
 * Measured (bench/measures/search-micro.mjs): on the benchmark data, whose ~130-word vocabulary puts
 * most words in most bodies, query time is proportional to the postings of the query words. With
 * whole 4,000-character bodies indexed, a two-word query takes ~0.3-1 ms at 10k items and ~3-4 ms at
 * 100k (p50-p95), well inside the goals (5 and 50 ms), so the limit is a guard against long documents
 * (memory, snapshot size), not a speed knob. (MiniSearch's own query path, used before, missed the
 * 100k goal even with no body indexed at all.)
 */
export const BODY_INDEX_CHARS = 4_000;

/**
 * Bump whenever anything that changes the stored index changes: fields, tokenizer, BODY_INDEX_CHARS,
 * the snapshot layout (snapshot.ts, packed-ints.ts) or the packing of postings (postings.ts).
 */
export const INDEX_FORMAT_VERSION = 3;

/** At most this many query words are searched; the rest are ignored (each word costs a full lookup). */
export const MAX_QUERY_WORDS = 8;

export interface IndexedDoc {
  /** `${collectionId}/${itemId}` (itemKey); hits take their itemId back from it. */
  key: string;
  collectionId: string;
  itemId: string;
  title: string;
  tags: string[];
  body: string;
}

export interface SearchHit {
  collectionId: string;
  itemId: string;
  score: number;
  /** Index terms this item matched (folded, see highlight.ts), for highlighting. */
  terms: string[];
}

export interface TagFacet {
  tag: string;
  count: number;
}

export interface SearchQueryOptions {
  collectionId?: string;
  tag?: string;
  /** Hits returned; `total` and the facets still count every match. Default 50. */
  limit?: number;
}

export interface SearchOutcome {
  hits: SearchHit[];
  facets: TagFacet[];
  total: number;
}

export function itemKey(collectionId: string, itemId: string): string {
  return `${collectionId}/${itemId}`;
}

export class SearchIndex {
  #state = new IndexState();

  get size(): number {
    return this.#state.docs.live;
  }

  has(key: string): boolean {
    return this.#state.byKey.has(key);
  }

  /** Adds the item, or replaces everything indexed for it. */
  upsert(doc: IndexedDoc): void {
    this.#state.remove(doc.key);
    this.#state.add(doc.key, doc.collectionId, doc.title, doc.tags, [
      searchTerms(doc.title),
      searchTerms(doc.tags.join(' ')),
      searchTerms(doc.body.slice(0, BODY_INDEX_CHARS)),
    ]);
  }

  /** Adds or replaces many items: the same as upserting each, faster (see IndexState.batch). */
  upsertMany(docs: readonly IndexedDoc[]): void {
    // An edit derives one item: remembering its terms would only cost a map on every keystroke.
    if (docs.length === 1) return this.upsert(docs[0]!);
    this.#state.batch(() => {
      for (const doc of docs) this.upsert(doc);
    });
  }

  /**
   * Runs `work`, whose upserts share one term lookup cache (see IndexState.batch): a rebuild's
   * slice upserts its items in several small steps, each an `upsertMany`.
   */
  batch(work: () => void): void {
    this.#state.batch(work);
  }

  /** Removes the item; nothing happens when it is not indexed. */
  remove(key: string): void {
    this.#state.remove(key);
  }

  /** How many items of the collection are indexed. */
  countIn(collectionId: string): number {
    return this.#slotsOf(collectionId).length;
  }

  /** The collections that have items in the index. */
  collectionIds(): string[] {
    const { collections, docs } = this.#state;
    const present = new Set<number>();
    for (let d = 0; d < docs.slots; d++) if (docs.alive[d] === 1) present.add(docs.collection[d]!);
    return [...present].map((id) => collections.names[id]!);
  }

  removeCollection(collectionId: string): void {
    const keys = this.#slotsOf(collectionId).map((d) => this.#state.docs.keys[d]!);
    for (const key of keys) this.#state.remove(key);
  }

  /** The document slots of a collection's live items. */
  #slotsOf(collectionId: string): number[] {
    const { collections, docs } = this.#state;
    const collection = collections.id(collectionId);
    const slots: number[] = [];
    if (collection === undefined) return slots;
    for (let d = 0; d < docs.slots; d++)
      if (docs.alive[d] === 1 && docs.collection[d] === collection) slots.push(d);
    return slots;
  }

  search(query: string, options: SearchQueryOptions = {}): SearchOutcome {
    const { collectionId, tag, limit = 50 } = options;
    const words = searchTerms(query).slice(0, MAX_QUERY_WORDS);
    if (words.length === 0 && tag === undefined) return noResults();
    const filter: QueryFilter = {
      collection: collectionId === undefined ? undefined : this.#state.collections.id(collectionId),
      tag: tag === undefined ? undefined : this.#state.tags.id(tag),
    };
    // A collection or tag never indexed matches nothing.
    if (
      (collectionId !== undefined && filter.collection === undefined) ||
      (tag !== undefined && filter.tag === undefined)
    )
      return noResults();
    return words.length === 0
      ? listTagged(this.#state, filter, limit)
      : searchWords(this.#state, words, filter, limit);
  }

  /**
   * The characters that follow `prefix` in the dictionary's terms ('' gives every term's first
   * character): where one more typed letter of a query word can lead. Terms whose documents are all
   * gone may still count until compaction.
   */
  nextCharacters(prefix: string): string[] {
    // The radix tree's node for `prefix`: its edges start with distinct characters ('' marks a term
    // ending here). MiniSearch has no public walk of one level; `_tree` is typed as public.
    const node: ReadonlyMap<string, unknown> | undefined = this.#state.dict.atPrefix(prefix)._tree;
    const next: string[] = [];
    for (const edge of node?.keys() ?? []) {
      const first = edge.codePointAt(0);
      if (first !== undefined) next.push(String.fromCodePoint(first));
    }
    return next;
  }

  /** Tag counts over every indexed item (of one collection when given): the facets of "no query". */
  tagFacets(collectionId?: string): TagFacet[] {
    if (collectionId === undefined) return countTags(this.#state, undefined);
    const collection = this.#state.collections.id(collectionId);
    return collection === undefined ? [] : countTags(this.#state, collection);
  }

  /** A snapshot to persist; `deserialize` restores it without re-tokenizing anything. */
  serialize(): string {
    const steps = this.snapshot();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `serialize` in steps, so that a caller can yield in between (on 10,000 items the whole takes
   * ~0.1-0.2 s): this copies the index as it is now, and the steps it returns turn that copy into
   * the string (the last step's value), whatever the index goes through meanwhile.
   */
  snapshot(): Generator<void, string> {
    const copy = copyState(this.#state);
    return (function* () {
      const index = yield* encodeSnapshot(copy);
      yield;
      const snapshot: Snapshot = { version: INDEX_FORMAT_VERSION, index };
      return JSON.stringify(snapshot);
    })();
  }

  /** The index saved by `serialize`, or undefined when it is from another format or unreadable. */
  static deserialize(json: string): SearchIndex | undefined {
    try {
      const snapshot = JSON.parse(json) as Partial<Snapshot> | null;
      if (snapshot?.version !== INDEX_FORMAT_VERSION) return undefined;
      const state = stateOf(snapshot.index);
      if (!state) return undefined;
      const index = new SearchIndex();
      index.#state = state;
      return index;
    } catch {
      return undefined;
    }
  }
}

interface Snapshot {
  version: number;
  index: SnapshotBody;
}
