// The postings of every index term: for each term, the ids of the documents that contain it (in
// ascending order) and how often it occurs in each field, in two shared typed arrays (a pool).
//
// Each term owns a region [start, start + cap) of the pool, of which the first `len` entries are in
// use. A full region grows by half: in place when it is the last one, else it moves to the end of the
// pool and the region it leaves is a hole. When holes make up a third of the pool, the next growth
// lays every list out afresh instead.
//
// One pool instead of a typed array per term: a personal collection has hundreds of thousands of
// distinct terms, most in one or two documents, and a typed array costs ~100 bytes before its data.
//
// Removed documents stay in their terms' lists until a query touches the term (`purge`) or the whole
// index is compacted (`compact`); documents ids only grow between compactions, so appending keeps
// every list sorted.

import { unpackInto } from './packed-ints.ts';
import type { IntWriter } from './packed-ints.ts';

/** The lists as a snapshot reads them (Postings has these; snapshot.ts copies them). */
export interface PostingLists {
  start: Int32Array;
  len: Int32Array;
  docs: Int32Array;
  freqs: Uint16Array;
}

/**
 * Writes a term's list for a snapshot, documents renumbered by `docMap` (which keeps their order;
 * -1 leaves a document out): per posting the gap to the previous document id (the first counted
 * from -1; small numbers, for a compact snapshot) and its packed frequencies. Returns the postings
 * written.
 */
export function writeList(
  lists: PostingLists,
  term: number,
  docMap: Int32Array,
  gaps: IntWriter,
  freqs: IntWriter,
): number {
  const from = lists.start[term]!;
  const end = from + lists.len[term]!;
  let doc = -1;
  let written = 0;
  for (let k = from; k < end; k++) {
    const d = docMap[lists.docs[k]!]!;
    if (d < 0) continue;
    gaps.push(d - doc);
    freqs.push(lists.freqs[k]!);
    doc = d;
    written++;
  }
  return written;
}

/**
 * A posting's per-field term frequencies, packed in 16 bits: body in bits 0-10, tags 11-12, title
 * 13-15. Each saturates at what its bits hold: 2,047 in the body (more words than a BODY_INDEX_CHARS
 * body can hold), 3 in the tags, 7 in the title. BM25 has mostly saturated by then: a title holding a
 * word 7 times scores within 10% of one holding it 20 times.
 */
const BODY_MAX = 0x7ff;
const TAGS_MAX = 0x3;
const TITLE_MAX = 0x7;

/** Per field (title, tags, body): one occurrence, and the bits of its frequency, in a packed posting. */
const FIELD_UNIT = [1 << 13, 1 << 11, 1];
const FIELD_MASK = [TITLE_MAX << 13, TAGS_MAX << 11, BODY_MAX];

export function titleFrequency(packed: number): number {
  return packed >>> 13;
}

export function tagsFrequency(packed: number): number {
  return (packed >>> 11) & TAGS_MAX;
}

export function bodyFrequency(packed: number): number {
  return packed & BODY_MAX;
}

export class Postings {
  /** Document ids, per term ascending. */
  docs = new Int32Array(1024);
  /** Packed per-field frequencies (see BODY_MAX), parallel to `docs`. */
  freqs = new Uint16Array(1024);
  /** Per term: where its region starts, how many entries it uses, how many it has room for. */
  start = new Int32Array(64);
  len = new Int32Array(64);
  cap = new Int32Array(64);
  /** Per term: the length of the removal log when its list last held no removed document. */
  cleanAt = new Int32Array(64);
  /** Number of terms. */
  count = 0;
  /** Pool entries handed out (the end of the last region). */
  used = 0;
  /** Pool entries in regions no term owns any more. */
  holes = 0;

  /**
   * Postings read back from `write()`, laid out tightly (a list's first append moves it). Undefined
   * when anything is off: counts that do not add up, a list not strictly ascending, a document id
   * not below `docCount`, frequencies out of range.
   */
  static read(counts: Int32Array, gaps: unknown, freqs: unknown, docCount: number): Postings | undefined {
    const p = new Postings();
    const terms = counts.length;
    p.start = new Int32Array(Math.max(64, terms));
    p.len = new Int32Array(p.start.length);
    p.cap = new Int32Array(p.start.length);
    p.cleanAt = new Int32Array(p.start.length);
    let total = 0;
    for (let t = 0; t < terms; t++) {
      const n = counts[t]!;
      if (n < 1 || n > docCount) return undefined;
      p.start[t] = total;
      p.len[t] = n;
      p.cap[t] = n;
      total += n;
    }
    p.docs = new Int32Array(Math.max(1024, total));
    p.freqs = new Uint16Array(p.docs.length);
    if (!unpackInto(gaps, p.docs, total, docCount) || !unpackInto(freqs, p.freqs, total, 0xffff))
      return undefined;
    // Gaps to document ids, checking each list ascends within [0, docCount).
    const docs = p.docs;
    for (let t = 0; t < terms; t++) {
      const from = p.start[t]!;
      const end = from + p.len[t]!;
      let doc = -1;
      for (let k = from; k < end; k++) {
        const gap = docs[k]!;
        if (gap < 1 || p.freqs[k] === 0) return undefined;
        doc += gap;
        docs[k] = doc;
      }
      if (doc >= docCount) return undefined;
    }
    p.count = terms;
    p.used = total;
    return p;
  }

  /** A new term with an empty list; returns its id. */
  addTerm(cleanAt: number): number {
    const id = this.count++;
    if (id === this.start.length) this.#growTerms(id * 2);
    this.start[id] = this.used;
    this.len[id] = 0;
    this.cap[id] = 0;
    this.cleanAt[id] = cleanAt;
    return id;
  }

  /**
   * Counts one occurrence of each of the first `count` terms of `terms` in field `field` (0 title,
   * 1 tags, 2 body) of document `doc`, which must be each term's last document or above every id in
   * its list. One loop over the arrays, no call per occurrence: a fresh engine runs this code
   * unoptimized, where every call and property read counts (1,000 items indexed with V8's optimizer
   * off: 210 -> 165 ms).
   */
  addOccurrences(terms: Int32Array, count: number, doc: number, field: number): void {
    const unit = FIELD_UNIT[field]!;
    const mask = FIELD_MASK[field]!;
    const { start, len, cap } = this; // replaced by addTerm only, never by a list growing
    let { docs, freqs } = this;
    for (let i = 0; i < count; i++) {
      const term = terms[i]!;
      const n = len[term]!;
      const last = start[term]! + n - 1;
      if (n !== 0 && docs[last] === doc) {
        const freq = freqs[last]!;
        if ((freq & mask) !== mask) freqs[last] = freq + unit;
        continue;
      }
      // A new posting, at the end of the list.
      if (n === cap[term]) {
        this.#growList(term);
        // The list may have moved, and the pool with it.
        docs = this.docs;
        freqs = this.freqs;
      }
      const at = start[term]! + n;
      len[term] = n + 1;
      docs[at] = doc;
      freqs[at] = unit;
    }
  }

  /** Position of `doc` in the term's list, or -1. */
  indexOf(term: number, doc: number): number {
    const docs = this.docs;
    let lo = this.start[term]!;
    let hi = lo + this.len[term]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const d = docs[mid]!;
      if (d < doc) lo = mid + 1;
      else if (d > doc) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** Whether any document of the term's list has a new id in `docMap` (see `compact`). */
  anyMapped(term: number, docMap: Int32Array): boolean {
    const from = this.start[term]!;
    const end = from + this.len[term]!;
    for (let k = from; k < end; k++) if (docMap[this.docs[k]!]! >= 0) return true;
    return false;
  }

  /**
   * Drops the removed documents from a term's list, so that its length is its document frequency.
   * `removed` logs every document removed since the last compaction; a list that was clean when the
   * log was shorter only needs checking for the documents logged since (by binary search, when few).
   */
  purge(term: number, alive: Uint8Array, removed: readonly number[]): void {
    const since = this.cleanAt[term]!;
    if (since === removed.length) return;
    this.cleanAt[term] = removed.length;
    if (removed.length - since <= FEW_REMOVALS) {
      let found = false;
      for (let i = since; i < removed.length && !found; i++) found = this.indexOf(term, removed[i]!) >= 0;
      if (!found) return;
    }
    const { docs, freqs } = this;
    const from = this.start[term]!;
    const end = from + this.len[term]!;
    let to = from;
    for (let k = from; k < end; k++) {
      const d = docs[k]!;
      if (alive[d] === 0) continue;
      docs[to] = d;
      freqs[to++] = freqs[k]!;
    }
    this.len[term] = to - from;
  }

  /**
   * Rewrites every list into a fresh pool: documents mapped to their new ids by `docMap` (-1 drops
   * them), terms reordered so that new term i is old term `order[i]`. Every list comes out clean.
   */
  compact(docMap: Int32Array, order: ArrayLike<number>): void {
    const { docs, freqs, start, len } = this;
    const terms = order.length;
    let total = 0;
    for (let i = 0; i < terms; i++) total += roomFor(len[order[i]!]!);
    this.docs = new Int32Array(Math.max(1024, total));
    this.freqs = new Uint16Array(this.docs.length);
    this.start = new Int32Array(Math.max(64, terms));
    this.len = new Int32Array(this.start.length);
    this.cap = new Int32Array(this.start.length);
    this.cleanAt = new Int32Array(this.start.length);
    let at = 0;
    for (let i = 0; i < terms; i++) {
      const old = order[i]!;
      const from = start[old]!;
      const end = from + len[old]!;
      this.start[i] = at;
      let to = at;
      for (let k = from; k < end; k++) {
        const d = docMap[docs[k]!]!;
        if (d < 0) continue;
        this.docs[to] = d;
        this.freqs[to++] = freqs[k]!;
      }
      this.len[i] = to - at;
      this.cap[i] = roomFor(len[old]!);
      at += this.cap[i]!;
    }
    this.count = terms;
    this.used = at;
    this.holes = 0;
  }

  /** Gives a full list half as much room again: in place when it ends the pool, else moved there. */
  #growList(term: number): void {
    const from = this.start[term]!;
    const n = this.len[term]!;
    const wanted = Math.max(4, n + (n >> 1));
    const last = from + this.cap[term]! === this.used;
    const extra = last ? wanted - this.cap[term]! : wanted;
    if (this.used + extra > this.docs.length) {
      if (this.holes * 3 > this.used) {
        this.#relayout(extra);
        if (this.len[term]! < this.cap[term]!) return;
        this.#growList(term);
        return;
      }
      this.#resize(Math.max(this.used + extra, Math.ceil(this.docs.length * 1.5)));
    }
    if (!last) {
      this.docs.copyWithin(this.used, from, from + n);
      this.freqs.copyWithin(this.used, from, from + n);
      this.holes += this.cap[term]!;
      this.start[term] = this.used;
    }
    this.cap[term] = wanted;
    this.used += extra;
  }

  /** Lays the lists out afresh from the start of a new pool, with room for `extra` more entries. */
  #relayout(extra: number): void {
    const { docs, freqs } = this;
    let total = 0;
    for (let t = 0; t < this.count; t++) total += roomFor(this.len[t]!);
    const size = Math.max(1024, Math.ceil((total + extra) * 1.25));
    this.docs = new Int32Array(size);
    this.freqs = new Uint16Array(size);
    let at = 0;
    for (let t = 0; t < this.count; t++) {
      const from = this.start[t]!;
      const n = this.len[t]!;
      this.docs.set(docs.subarray(from, from + n), at);
      this.freqs.set(freqs.subarray(from, from + n), at);
      this.start[t] = at;
      this.cap[t] = roomFor(n);
      at += this.cap[t]!;
    }
    this.used = at;
    this.holes = 0;
  }

  #resize(size: number): void {
    const docs = new Int32Array(size);
    docs.set(this.docs.subarray(0, this.used));
    const freqs = new Uint16Array(size);
    freqs.set(this.freqs.subarray(0, this.used));
    this.docs = docs;
    this.freqs = freqs;
  }

  #growTerms(size: number): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.start = grow(this.start);
    this.len = grow(this.len);
    this.cap = grow(this.cap);
    this.cleanAt = grow(this.cleanAt);
  }
}

/** Above this many removals since a list was last clean, `purge` filters it instead of looking up each. */
const FEW_REMOVALS = 8;

/** Room given to a list of `n` entries when lists are laid out afresh: an eighth more, at least one. */
function roomFor(n: number): number {
  return n === 0 ? 0 : n + (n >> 3) + 1;
}
