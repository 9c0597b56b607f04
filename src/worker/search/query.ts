// Query execution over the index state: term expansion (prefix and fuzzy) through the dictionary,
// BM25 scoring over the typed-array postings, AND across query words, filters, tag facets over every
// match and a partial selection of the best hits.
//
// Per document, a query keeps its state in typed arrays indexed by document id, valid only where
// `stamp` holds the query's generation, so nothing is cleared between queries.

import { BM25_K, FIELD_COUNT } from './documents.ts';
import type { IndexState } from './index-state.ts';
import { bodyFrequency, tagsFrequency, titleFrequency } from './postings.ts';
import type { SearchHit, SearchOutcome, TagFacet } from './search-index.ts';

/** Field weights: a word in the title says more about an item than a tag, a tag more than the body. */
const BOOST_TITLE = 3;
const BOOST_TAGS = 2;
const BOOST_BODY = 1;
/** BM25+ floor: any occurrence is worth at least this much (MiniSearch's default). */
const BM25_D = 0.5;
/**
 * Weight of a term matched as a longer word ("alp" → "alpha") or fuzzily ("falcn" → "falcon"), as in
 * MiniSearch: prefix matches 0.375·t/(t + 0.3·extra letters), fuzzy ones 0.45·t/(t + edits), with t
 * the term's length. An exact match weighs 1.
 */
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;

/** Filters resolved to interned ids; undefined means no filter. */
export interface QueryFilter {
  collection: number | undefined;
  tag: number | undefined;
}

export function noResults(): SearchOutcome {
  return { hits: [], facets: [], total: 0 };
}

/**
 * Allowed edit distance per query word: none below 4 characters (a 3-letter word with one edit
 * matches a large part of the vocabulary), 1 from 4, 2 from 8. Longer words would tolerate more, but
 * each extra edit multiplies the terms a lookup visits, and two typos in one word is rare.
 */
export function fuzziness(word: string): number {
  if (word.length >= 8) return 2;
  if (word.length >= 4) return 1;
  return 0;
}

/** The index terms one query word stands for. */
interface Expansion {
  terms: string[];
  ids: number[];
  weights: number[];
  /** Postings over all its terms. */
  postings: number;
}

/**
 * Every word must match (AND); a word's score in a document is that of its best-matching term; a
 * document's score is the sum over the words. `words` are already folded (searchTerms).
 */
export function searchWords(
  state: IndexState,
  words: readonly string[],
  filter: QueryFilter,
  limit: number,
): SearchOutcome {
  const expansions = words.map((word) => expand(state, word));
  if (expansions.some((e) => e.postings === 0)) return noResults();
  // Rarest word first: it decides which documents the others need to look at.
  const order = expansions.map((_, i) => i).sort((a, b) => expansions[a]!.postings - expansions[b]!.postings);

  const scratch = scratchFor(state);
  const gen = scratch.next();
  const { stamp, matched, sum, best, list } = scratch;
  const { docs: postingDocs, freqs } = state.postings;
  const norms = state.docs.norms();
  const live = state.docs.live;
  // Per term: its match weight times its idf (its list's length is its document frequency).
  const factors = expansions.map((e) =>
    e.ids.map((id, j) => {
      const df = state.postings.len[id]!;
      return e.weights[j]! * Math.log(1 + (live - df + 0.5) / (df + 0.5));
    }),
  );

  let n = 0;
  order.forEach((w, i) => {
    const e = expansions[w]!;
    const factor = factors[w]!;
    const round = i + 1;
    if (round > 1 && n === 0) return;
    const probe = round > 1 && n * e.ids.length * PROBE_COST < e.postings;
    if (probe) {
      // Few candidates left: look each up in the word's lists instead of reading the lists through.
      for (let c = 0; c < n; c++) {
        const d = list[c]!;
        let top = -1;
        for (let j = 0; j < e.ids.length; j++) {
          const at = state.postings.indexOf(e.ids[j]!, d);
          if (at < 0) continue;
          const score = factor[j]! * postingScore(freqs[at]!, d * FIELD_COUNT, norms);
          if (score > top) top = score;
        }
        if (top < 0) continue;
        matched[d] = round;
        sum[d]! += best[d]!;
        best[d] = top;
      }
    } else {
      for (let j = 0; j < e.ids.length; j++) {
        const f = factor[j]!;
        const from = state.postings.start[e.ids[j]!]!;
        const end = from + state.postings.len[e.ids[j]!]!;
        for (let k = from; k < end; k++) {
          const d = postingDocs[k]!;
          if (stamp[d] !== gen) {
            if (round > 1) continue;
            stamp[d] = gen;
            matched[d] = 1;
            sum[d] = 0;
            best[d] = f * postingScore(freqs[k]!, d * FIELD_COUNT, norms);
            list[n++] = d;
            continue;
          }
          const m = matched[d]!;
          if (m === round) {
            const score = f * postingScore(freqs[k]!, d * FIELD_COUNT, norms);
            if (score > best[d]!) best[d] = score;
          } else if (m === round - 1) {
            matched[d] = round;
            sum[d]! += best[d]!;
            best[d] = f * postingScore(freqs[k]!, d * FIELD_COUNT, norms);
          }
        }
      }
    }
    // Keep the documents that matched this word (and, on the first word, pass the filters).
    let kept = 0;
    for (let c = 0; c < n; c++) {
      const d = list[c]!;
      if (matched[d] !== round || (round === 1 && !passes(state, d, filter))) matched[d] = 0;
      else list[kept++] = d;
    }
    n = kept;
  });

  const counts = new Int32Array(state.tags.names.length);
  for (let c = 0; c < n; c++) {
    const d = list[c]!;
    sum[d]! += best[d]!;
    state.docs.countTags(d, counts);
  }
  const keys = state.docs.keys;
  const top = selectTop(
    list,
    n,
    limit,
    (a, b) => sum[a]! > sum[b]! || (sum[a] === sum[b] && keys[a]! < keys[b]!),
  );
  const terms = hitTerms(state, expansions, top, scratch, gen);
  const hits = top.map((d, i) => hitOf(state, d, sum[d]!, terms[i]!));
  return { hits, facets: facetsOf(counts, state.tags.names), total: n };
}

/** A tag without a query: every document with the tag (and in the collection), in title order. */
export function listTagged(state: IndexState, filter: QueryFilter, limit: number): SearchOutcome {
  const { list } = scratchFor(state);
  const { docs } = state;
  const counts = new Int32Array(state.tags.names.length);
  let n = 0;
  for (let d = 0; d < docs.slots; d++) {
    if (docs.alive[d] !== 1 || !passes(state, d, filter)) continue;
    list[n++] = d;
    docs.countTags(d, counts);
  }
  const { titles, keys } = docs;
  const top = selectTop(list, n, limit, (a, b) => {
    const order = collator.compare(titles[a]!, titles[b]!);
    return order < 0 || (order === 0 && keys[a]! < keys[b]!);
  });
  const hits = top.map((d) => hitOf(state, d, 1, []));
  return { hits, facets: facetsOf(counts, state.tags.names), total: n };
}

/** Tag counts over every live document, or those of one collection. */
export function countTags(state: IndexState, collection: number | undefined): TagFacet[] {
  const { docs } = state;
  const counts = new Int32Array(state.tags.names.length);
  for (let d = 0; d < docs.slots; d++) {
    if (docs.alive[d] === 1 && (collection === undefined || docs.collection[d] === collection))
      docs.countTags(d, counts);
  }
  return facetsOf(counts, state.tags.names);
}

/** Looking a document up costs about this many list entries read through (binary search, misses). */
const PROBE_COST = 64;

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** A posting's score before the term's weight and idf: BM25+ per field, weighted by field. */
function postingScore(freq: number, at: number, norms: Float32Array): number {
  let score = 0;
  const body = bodyFrequency(freq);
  if (body !== 0) score += BOOST_BODY * (BM25_D + (body * (BM25_K + 1)) / (body + norms[at + 2]!));
  const tags = tagsFrequency(freq);
  if (tags !== 0) score += BOOST_TAGS * (BM25_D + (tags * (BM25_K + 1)) / (tags + norms[at + 1]!));
  const title = titleFrequency(freq);
  if (title !== 0) score += BOOST_TITLE * (BM25_D + (title * (BM25_K + 1)) / (title + norms[at]!));
  return score;
}

/**
 * The word itself, the longer terms it starts (all of them: typing "alp" finds "alpha") and, from 4
 * characters on, the terms within its edit distance. Purges the lists it returns, so each list's
 * length is the term's document frequency.
 */
function expand(state: IndexState, word: string): Expansion {
  const { dict, postings, docs, removed } = state;
  const e: Expansion = { terms: [], ids: [], weights: [], postings: 0 };
  const add = (term: string, id: number, weight: number): void => {
    postings.purge(id, docs.alive, removed);
    const len = postings.len[id]!;
    if (len === 0) return;
    e.terms.push(term);
    e.ids.push(id);
    e.weights.push(weight);
    e.postings += len;
  };
  const prefixed = new Set<string>();
  for (const [term, id] of dict.atPrefix(word)) {
    prefixed.add(term);
    const extra = term.length - word.length;
    add(term, id, extra === 0 ? 1 : (PREFIX_WEIGHT * term.length) / (term.length + 0.3 * extra));
  }
  const distance = fuzziness(word);
  if (distance > 0) {
    for (const [term, [id, edits]] of dict.fuzzyGet(word, distance)) {
      if (edits === 0 || prefixed.has(term)) continue;
      add(term, id, (FUZZY_WEIGHT * term.length) / (term.length + edits));
    }
  }
  return e;
}

function passes(state: IndexState, d: number, filter: QueryFilter): boolean {
  return (
    (filter.collection === undefined || state.docs.collection[d] === filter.collection) &&
    (filter.tag === undefined || state.docs.hasTag(d, filter.tag))
  );
}

/**
 * For each hit, the index terms of the query's expansions that it contains, sorted. A term's short
 * list is read through (hits are marked in the scratch arrays); a long one is searched per hit.
 */
function hitTerms(
  state: IndexState,
  expansions: readonly Expansion[],
  hits: readonly number[],
  scratch: Scratch,
  gen: number,
): string[][] {
  const out = hits.map((): string[] => []);
  if (hits.length === 0) return out;
  const { postings } = state;
  const { stamp, matched } = scratch;
  // Every hit matched the query, so its stamp is this query's.
  for (const d of hits) matched[d] = HIT;
  const slot = new Map(hits.map((d, i) => [d, i]));
  const done = new Set<number>();
  for (const e of expansions) {
    e.ids.forEach((id, j) => {
      if (done.has(id)) return;
      done.add(id);
      const term = e.terms[j]!;
      const from = postings.start[id]!;
      const end = from + postings.len[id]!;
      if (end - from <= hits.length * 32) {
        for (let k = from; k < end; k++) {
          const d = postings.docs[k]!;
          if (matched[d] === HIT && stamp[d] === gen) out[slot.get(d)!]!.push(term);
        }
      } else {
        hits.forEach((d, i) => {
          if (postings.indexOf(id, d) >= 0) out[i]!.push(term);
        });
      }
    });
  }
  for (const terms of out) terms.sort();
  return out;
}

/** `Scratch.matched` of a returned hit (query words are at most MAX_QUERY_WORDS). */
const HIT = 255;

function hitOf(state: IndexState, d: number, score: number, terms: string[]): SearchHit {
  const collectionId = state.collections.names[state.docs.collection[d]!]!;
  const itemId = state.docs.keys[d]!.slice(collectionId.length + 1);
  return { collectionId, itemId, score, terms };
}

/** Tag counts, most frequent first, ties by tag. */
function facetsOf(counts: Int32Array, names: readonly string[]): TagFacet[] {
  const facets: TagFacet[] = [];
  counts.forEach((count, tag) => {
    if (count > 0) facets.push({ tag: names[tag]!, count });
  });
  return facets.sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
}

/**
 * The first `limit` of `list[0…n)` in the order `before` (a strict total order), without sorting
 * them all: a heap of the best `limit` seen so far, whose root is the worst of them.
 */
function selectTop(
  list: Int32Array,
  n: number,
  limit: number,
  before: (a: number, b: number) => boolean,
): number[] {
  const k = Math.min(n, Math.max(0, Math.floor(limit) || 0));
  if (k === 0) return [];
  const heap: number[] = [];
  const down = (from: number): void => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const worse = r < heap.length && before(heap[l]!, heap[r]!) ? r : l;
      if (!before(heap[i]!, heap[worse]!)) return;
      [heap[i], heap[worse]] = [heap[worse]!, heap[i]!];
      i = worse;
    }
  };
  for (let c = 0; c < n; c++) {
    const d = list[c]!;
    if (heap.length < k) {
      heap.push(d);
      for (let i = heap.length - 1; i > 0;) {
        const parent = (i - 1) >> 1;
        if (!before(heap[parent]!, heap[i]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (before(d, heap[0]!)) {
      heap[0] = d;
      down(0);
    }
  }
  return heap.sort((a, b) => (before(a, b) ? -1 : 1));
}

/** Per-document query state, sized to the document ids, reused by every query on one index. */
class Scratch {
  stamp = new Uint32Array(0);
  matched = new Uint8Array(0);
  /** Summed score of the words already done, then (after the last word) the final score. */
  sum = new Float64Array(0);
  /** Best score of the current word. */
  best = new Float64Array(0);
  /** Candidate documents. */
  list = new Int32Array(0);
  #gen = 0;

  fit(size: number): void {
    if (this.stamp.length >= size) return;
    const length = Math.max(64, size + (size >> 1));
    const stamp = new Uint32Array(length);
    stamp.set(this.stamp);
    this.stamp = stamp;
    this.matched = new Uint8Array(length);
    this.sum = new Float64Array(length);
    this.best = new Float64Array(length);
    this.list = new Int32Array(length);
  }

  next(): number {
    if (this.#gen === 0xffffffff) {
      this.stamp.fill(0);
      this.#gen = 0;
    }
    return ++this.#gen;
  }
}

const scratches = new WeakMap<IndexState, Scratch>();

function scratchFor(state: IndexState): Scratch {
  let scratch = scratches.get(state);
  if (!scratch) {
    scratch = new Scratch();
    scratches.set(state, scratch);
  }
  scratch.fit(state.docs.slots);
  return scratch;
}
