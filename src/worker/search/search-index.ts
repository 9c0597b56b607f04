// The engine's full-text index over every item of every open collection: a thin wrapper around
// MiniSearch that fixes the fields, the tokenizer and the query semantics in one place, and adds tag
// facets and a versioned snapshot format.
//
// Query semantics: the query is split into words (the same Unicode tokenizer as indexing, see
// src/shared/highlight.ts); every word must match (AND); every word matches as a prefix ("alp" finds
// "alpha") and, from 4 characters on, fuzzily (see fuzziness()). Title matches outweigh tag matches,
// which outweigh body matches (see BOOST).

import MiniSearch from 'minisearch';
import type { Options, SearchOptions, SearchResult } from 'minisearch';
import { searchTerms } from '../../shared/highlight.ts';

/**
 * Only this many characters of a body are indexed; the item keeps its whole body, only search stops
 * looking further. The goal is 100,000 items in one engine: the index costs memory and query time in
 * proportion to the postings it holds, so one very long document must not cost as much as hundreds
 * of items. 4,000 characters (~600 words, several screens) still covers the whole of a typical item.
 *
 * Measured (bench/measures/search-micro.mjs): on the benchmark data, whose ~130-word vocabulary puts
 * most words in most bodies, query time is proportional to the postings of the query words, and
 * MiniSearch misses the 100k goal even with no body indexed at all; only ~150-200 characters would
 * meet the 10k goal. Cutting bodies that short would make most of a body unsearchable for real users
 * to win a synthetic case, so the limit stays a guard against long documents, not a speed knob.
 */
export const BODY_INDEX_CHARS = 4_000;

/** Bump whenever anything that changes the stored index changes: fields, tokenizer, BODY_INDEX_CHARS. */
export const INDEX_FORMAT_VERSION = 2;

/** At most this many query words are searched; the rest are ignored (each word costs a full lookup). */
export const MAX_QUERY_WORDS = 8;

export interface IndexedDoc {
  /** `${collectionId}/${itemId}` */
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
  #mini = new MiniSearch<IndexedDoc>(MINI_OPTIONS);

  get size(): number {
    return this.#mini.documentCount;
  }

  has(key: string): boolean {
    return this.#mini.has(key);
  }

  /** Adds the item, or replaces everything indexed for it. */
  upsert(doc: IndexedDoc): void {
    if (this.#mini.has(doc.key)) this.#mini.replace(doc);
    else this.#mini.add(doc);
  }

  /** Removes the item; nothing happens when it is not indexed. */
  remove(key: string): void {
    // discard() needs only the id (remove() would need the original text to find its terms); the
    // stale postings are dropped lazily and by MiniSearch's automatic vacuuming.
    if (this.#mini.has(key)) this.#mini.discard(key);
  }

  removeCollection(collectionId: string): void {
    const keys = this.#mini
      .search(MiniSearch.wildcard, { filter: (r) => stored(r).collectionId === collectionId })
      .map((r) => r.id as string);
    if (keys.length > 0) this.#mini.discardAll(keys);
  }

  search(query: string, options: SearchQueryOptions = {}): SearchOutcome {
    const { collectionId, tag, limit = 50 } = options;
    const words = searchTerms(query).slice(0, MAX_QUERY_WORDS);
    if (words.length === 0 && tag === undefined) return { hits: [], facets: [], total: 0 };

    const keep = (r: SearchResult): boolean => {
      const fields = stored(r);
      return (
        (collectionId === undefined || fields.collectionId === collectionId) &&
        (tag === undefined || fields.tags.includes(tag))
      );
    };
    const results =
      words.length === 0
        ? this.#mini.search(MiniSearch.wildcard, { filter: keep }).sort(byTitle)
        : this.#mini.search(words.join(' '), {
            ...QUERY_OPTIONS,
            ...(collectionId === undefined && tag === undefined ? {} : { filter: keep }),
          });

    const hits: SearchHit[] = [];
    for (const r of results.slice(0, Math.max(0, limit))) {
      const fields = stored(r);
      hits.push({ collectionId: fields.collectionId, itemId: fields.itemId, score: r.score, terms: r.terms });
    }
    return { hits, facets: tagFacets(results), total: results.length };
  }

  /** Tag counts over every indexed item (of one collection when given): the facets of "no query". */
  tagFacets(collectionId?: string): TagFacet[] {
    const results = this.#mini.search(MiniSearch.wildcard, {
      ...(collectionId === undefined
        ? {}
        : { filter: (r: SearchResult) => stored(r).collectionId === collectionId }),
    });
    return tagFacets(results);
  }

  /** A snapshot to persist; `deserialize` restores it without re-tokenizing anything. */
  serialize(): string {
    const snapshot: Snapshot = { version: INDEX_FORMAT_VERSION, index: this.#mini.toJSON() };
    return JSON.stringify(snapshot);
  }

  /** The index saved by `serialize`, or undefined when it is from another format or unreadable. */
  static deserialize(json: string): SearchIndex | undefined {
    try {
      const snapshot = JSON.parse(json) as Partial<Snapshot> | null;
      if (snapshot?.version !== INDEX_FORMAT_VERSION || typeof snapshot.index !== 'object') return undefined;
      // loadJS is loadJSON minus its JSON.parse: the envelope is parsed once, above.
      const index = new SearchIndex();
      index.#mini = MiniSearch.loadJS(snapshot.index, MINI_OPTIONS);
      return index;
    } catch {
      return undefined;
    }
  }
}

interface Snapshot {
  version: number;
  index: ReturnType<MiniSearch['toJSON']>;
}

interface StoredFields {
  collectionId: string;
  itemId: string;
  tags: string[];
  /** Stored so a listing without a query (a tag alone) can be in title order, not arbitrary. */
  title: string;
}

/** Field weights: a word in the title says more about an item than a tag, a tag more than the body. */
const BOOST = { title: 3, tags: 2, body: 1 };

const MINI_OPTIONS: Options<IndexedDoc> = {
  idField: 'key',
  fields: ['title', 'tags', 'body'],
  // Only what filtering, facets and hits need; the body stays out of memory and out of the snapshot.
  storeFields: ['collectionId', 'itemId', 'tags', 'title'],
  stringifyField: (value: unknown, field) => {
    if (field === 'tags') return (value as string[]).join(' ');
    if (field === 'body') return (value as string).slice(0, BODY_INDEX_CHARS);
    return String(value);
  },
  tokenize: searchTerms,
  // searchTerms already lowercases and folds; MiniSearch's default processTerm would lowercase again.
  processTerm: (term) => term,
};

const QUERY_OPTIONS: SearchOptions = {
  combineWith: 'AND',
  prefix: true,
  fuzzy: fuzziness,
  boost: BOOST,
};

/**
 * Allowed edit distance per query word: none below 4 characters (a 3-letter word with one edit
 * matches a large part of the vocabulary), 1 from 4, 2 from 8. Longer words would tolerate more, but
 * each extra edit multiplies the terms a lookup visits, and two typos in one word is rare.
 */
function fuzziness(term: string): number | false {
  if (term.length >= 8) return 2;
  if (term.length >= 4) return 1;
  return false;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function byTitle(a: SearchResult, b: SearchResult): number {
  return collator.compare(stored(a).title ?? '', stored(b).title ?? '');
}

function stored(result: SearchResult): StoredFields {
  return result as unknown as StoredFields;
}

/** Tag counts over every result, most frequent first, ties by tag. */
function tagFacets(results: readonly SearchResult[]): TagFacet[] {
  const counts = new Map<string, number>();
  for (const r of results) {
    for (const tag of stored(r).tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}
