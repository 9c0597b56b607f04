// Everything the search index holds, and the changes to it: adding a document's terms, removing a
// document (lazily: it is only marked removed) and compacting once removed documents pile up.

import SearchableMap from 'minisearch/SearchableMap';
import { Documents, FIELD_COUNT, Interner } from './documents.ts';
import { Postings } from './postings.ts';

/** Compact once removed documents hold more than this share of the document ids handed out. */
const COMPACT_REMOVED_SHARE = 0.25;

export class IndexState {
  /** The term dictionary: every index term (folded, see highlight.ts) to its term id. */
  dict = new SearchableMap<number>();
  postings = new Postings();
  docs = new Documents();
  /** Live documents by key. */
  readonly byKey = new Map<string, number>();
  readonly collections = new Interner();
  readonly tags = new Interner();
  /** Every document removed since the last compaction, in order (see Postings.purge). */
  removed: number[] = [];
  /**
   * While a batch runs: the term id of every term it has added. A dictionary lookup walks the radix
   * tree, comparing each node's keys in turn, and was half the time of building an index; most of a
   * batch's terms are repeats.
   */
  #batchTermIds: Map<string, number> | undefined;
  /** Scratch for add: one field's term ids. */
  #ids = new Int32Array(256);

  /**
   * Runs `work`, whose adds look each distinct term up in the dictionary only once. The remembered
   * ids last for the batch alone: held for good, they would cost as much memory as the dictionary.
   */
  batch(work: () => void): void {
    if (this.#batchTermIds) return work();
    this.#batchTermIds = new Map();
    try {
      work();
    } finally {
      this.#batchTermIds = undefined;
    }
  }

  /**
   * Adds a document whose key is not indexed. `fieldTerms` are the terms of its title, tags and
   * body (FIELD_COUNT lists, in that order, with repeats).
   */
  add(
    key: string,
    collectionId: string,
    title: string,
    tags: readonly string[],
    fieldTerms: readonly (readonly string[])[],
  ): void {
    const tagIds = [...new Set(tags)].map((tag) => this.tags.intern(tag));
    const lengths = fieldTerms.map((terms) => terms.length);
    const d = this.docs.add(key, title, this.collections.intern(collectionId), tagIds, lengths);
    this.byKey.set(key, d);

    const newTerm = (): number => this.postings.addTerm(this.removed.length);
    const termIds = this.#batchTermIds;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const terms = fieldTerms[f] ?? [];
      const n = terms.length;
      if (this.#ids.length < n) this.#ids = new Int32Array(Math.max(n, this.#ids.length * 2));
      const ids = this.#ids;
      // Terms to ids first (addTerm may grow the term arrays), then every occurrence in one pass.
      for (let i = 0; i < n; i++) {
        const term = terms[i]!;
        let id = termIds?.get(term);
        if (id === undefined) {
          id = this.dict.fetch(term, newTerm);
          termIds?.set(term, id);
        }
        ids[i] = id;
      }
      this.postings.addOccurrences(ids, n, d, f);
    }
  }

  /** Removes a document; its postings go when a query next reads them, or at compaction. */
  remove(key: string): void {
    const d = this.byKey.get(key);
    if (d === undefined) return;
    this.byKey.delete(key);
    this.docs.remove(d);
    this.removed.push(d);
    const { slots, live } = this.docs;
    if (slots - live > slots * COMPACT_REMOVED_SHARE) this.compact();
  }

  /**
   * Renumbers the live documents, drops removed documents from every list and terms left with no
   * document from the dictionary. Queries give the same results before and after.
   */
  compact(): void {
    const docMap = this.docs.compact();
    const { postings } = this;
    // Terms in dictionary order, leaving out those whose documents are all gone.
    const kept: string[] = [];
    const order: number[] = [];
    for (const [term, id] of this.dict) {
      if (!postings.anyMapped(id, docMap)) continue;
      kept.push(term);
      order.push(id);
    }
    postings.compact(docMap, order);
    const dict = new SearchableMap<number>();
    kept.forEach((term, id) => dict.set(term, id));
    this.dict = dict;
    // Compaction renumbers the terms: ids remembered before it name other terms now.
    this.#batchTermIds?.clear();
    for (const [key, d] of this.byKey) this.byKey.set(key, docMap[d]!);
    this.removed = [];
  }
}
