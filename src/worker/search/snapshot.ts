// The index's snapshot: arrays of strings, and arrays of numbers packed into strings (packed-ints.ts),
// in one JSON envelope carrying the format version. Loading it rebuilds the typed arrays and the term
// dictionary directly, without tokenizing anything; every number is range-checked on the way, so a
// corrupt snapshot is refused rather than loaded into an index that would fail later.
//
// Postings are stored as gaps between the document ids of each list, and most frequencies are small,
// so most numbers take one character. (Plain JSON number arrays measured ~2x the size and ~3x the
// load time on the benchmark data; base64 of the raw typed arrays would be larger still.)

import SearchableMap from 'minisearch/SearchableMap';
import { FIELD_COUNT } from './documents.ts';
import { IndexState } from './index-state.ts';
import { IntWriter, packInts, unpackInts } from './packed-ints.ts';
import { Postings, writeList } from './postings.ts';
import type { PostingLists } from './postings.ts';

/** Fields typed `string` but named like numbers hold packed integer arrays (packInts). */
export interface SnapshotBody {
  collections: string[];
  tags: string[];
  /** Per document (ids 0…n−1). */
  keys: string[];
  titles: string[];
  collection: string;
  tagCounts: string;
  /** Per document, its tagCounts[d] tag ids, documents in order. */
  tagIds: string;
  /** Per document, FIELD_COUNT field lengths. */
  lengths: string;
  /** Per term (ids 0…m−1), its posting count; then the postings (see Postings.lists). */
  terms: string[];
  counts: string;
  gaps: string;
  freqs: string;
}

/**
 * What a snapshot reads of an index state, copied: the index may change once this returns. The copy
 * is the cheap part of a snapshot (array copies and a walk of the term dictionary, ~1/5 of the
 * whole on 10,000 items); encoding it (encodeSnapshot) is the rest, and can wait.
 */
export interface StateCopy {
  collections: string[];
  tags: string[];
  slots: number;
  keys: string[];
  titles: string[];
  alive: Uint8Array;
  collection: Int32Array;
  lengths: Uint32Array;
  tagStart: Int32Array;
  tagCount: Int32Array;
  tagPool: Int32Array;
  /** Every term and its id, in the dictionary's order. */
  terms: string[];
  termIds: number[];
  postings: PostingLists;
}

export function copyState(state: IndexState): StateCopy {
  const { docs, postings } = state;
  const terms: string[] = [];
  const termIds: number[] = [];
  for (const [term, id] of state.dict) {
    terms.push(term);
    termIds.push(id);
  }
  return {
    collections: [...state.collections.names],
    tags: [...state.tags.names],
    slots: docs.slots,
    keys: docs.keys.slice(0, docs.slots),
    titles: docs.titles.slice(0, docs.slots),
    alive: docs.alive.slice(0, docs.slots),
    collection: docs.collection.slice(0, docs.slots),
    lengths: docs.lengths.slice(0, docs.slots * FIELD_COUNT),
    tagStart: docs.tagStart.slice(0, docs.slots),
    tagCount: docs.tagCount.slice(0, docs.slots),
    tagPool: docs.tagPool.slice(0, docs.tagUsed),
    terms,
    termIds,
    postings: {
      start: postings.start.slice(0, postings.count),
      len: postings.len.slice(0, postings.count),
      docs: postings.docs.slice(0, postings.used),
      freqs: postings.freqs.slice(0, postings.used),
    },
  };
}

/**
 * Encodes a copy as a snapshot body, yielding every POSTINGS_PER_STEP postings so that a caller
 * can let other work run in between (on 10,000 items the whole takes ~0.1 s); returns the body.
 */
export function* encodeSnapshot(copy: StateCopy): Generator<void, SnapshotBody> {
  // Live documents only, renumbered 0…n−1 in order (removed ones may still hold ids and postings).
  const docMap = new Int32Array(copy.slots).fill(-1);
  const keys: string[] = [];
  const titles: string[] = [];
  const collection: number[] = [];
  const tagCounts: number[] = [];
  const tagIds: number[] = [];
  const lengths: number[] = [];
  for (let d = 0; d < copy.slots; d++) {
    if (copy.alive[d] !== 1) continue;
    docMap[d] = keys.length;
    keys.push(copy.keys[d]!);
    titles.push(copy.titles[d]!);
    collection.push(copy.collection[d]!);
    const from = copy.tagStart[d]!;
    const count = copy.tagCount[d]!;
    tagCounts.push(count);
    for (let i = from; i < from + count; i++) tagIds.push(copy.tagPool[i]!);
    for (let f = 0; f < FIELD_COUNT; f++) lengths.push(copy.lengths[d * FIELD_COUNT + f]!);
  }
  yield;
  // Terms in the dictionary's order, leaving out those with no live document.
  const terms: string[] = [];
  const counts: number[] = [];
  const gaps = new IntWriter(copy.postings.docs.length);
  const freqs = new IntWriter(copy.postings.docs.length);
  let sinceYield = 0;
  for (let t = 0; t < copy.terms.length; t++) {
    if (sinceYield >= POSTINGS_PER_STEP) {
      yield;
      sinceYield = 0;
    }
    const id = copy.termIds[t]!;
    sinceYield += copy.postings.len[id]! + 1;
    const count = writeList(copy.postings, id, docMap, gaps, freqs);
    if (count === 0) continue;
    terms.push(copy.terms[t]!);
    counts.push(count);
  }
  yield;
  return {
    collections: copy.collections,
    tags: copy.tags,
    keys,
    titles,
    collection: packInts(collection),
    tagCounts: packInts(tagCounts),
    tagIds: packInts(tagIds),
    lengths: packInts(lengths),
    terms,
    counts: packInts(counts),
    gaps: gaps.toString(),
    freqs: freqs.toString(),
  };
}

/** The state a snapshot describes, or undefined when it is malformed in any way. */
export function stateOf(body: unknown): IndexState | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<keyof SnapshotBody, unknown>;
  const collections = strings(b.collections);
  const tags = strings(b.tags);
  const keys = strings(b.keys);
  const titles = strings(b.titles);
  const terms = strings(b.terms);
  const collection = unpackInts(b.collection);
  const tagCounts = unpackInts(b.tagCounts);
  const tagIds = unpackInts(b.tagIds);
  const lengths = unpackInts(b.lengths);
  const counts = unpackInts(b.counts);
  if (
    !collections ||
    !tags ||
    !keys ||
    !titles ||
    !terms ||
    !collection ||
    !tagCounts ||
    !tagIds ||
    !lengths ||
    !counts
  )
    return undefined;
  const n = keys.length;
  if (
    titles.length !== n ||
    collection.length !== n ||
    tagCounts.length !== n ||
    lengths.length !== n * FIELD_COUNT ||
    counts.length !== terms.length
  )
    return undefined;

  const state = new IndexState();
  for (const name of collections) state.collections.intern(name);
  for (const name of tags) state.tags.intern(name);
  if (state.collections.names.length !== collections.length || state.tags.names.length !== tags.length)
    return undefined;

  let tagAt = 0;
  const docTags: number[] = [];
  const docLengths: number[] = [0, 0, 0];
  for (let d = 0; d < n; d++) {
    const c = collection[d]!;
    const count = tagCounts[d]!;
    const key = keys[d]!;
    if (c >= collections.length || !key.startsWith(`${collections[c]}/`)) return undefined;
    if (count > tagIds.length - tagAt) return undefined;
    docTags.length = 0;
    for (let i = 0; i < count; i++) {
      const tag = tagIds[tagAt++]!;
      if (tag >= tags.length) return undefined;
      docTags.push(tag);
    }
    for (let f = 0; f < FIELD_COUNT; f++) docLengths[f] = lengths[d * FIELD_COUNT + f]!;
    state.docs.add(key, titles[d]!, c, docTags, docLengths);
    state.byKey.set(key, d);
  }
  if (tagAt !== tagIds.length || state.byKey.size !== n) return undefined;

  const postings = Postings.read(counts, b.gaps, b.freqs, n);
  if (!postings) return undefined;
  state.postings = postings;
  // In the order written (the dictionary's own), which rebuilds it faster than sorted order. fetch
  // returns an existing term's id, so a repeated term shows (SearchableMap's size walks the tree).
  const dict = new SearchableMap<number>();
  let id = 0;
  const next = (): number => id;
  for (; id < terms.length; id++) if (dict.fetch(terms[id]!, next) !== id) return undefined;
  state.dict = dict;
  return state;
}

/** Postings encoded between two yields: a few milliseconds' work on this machine. */
const POSTINGS_PER_STEP = 100_000;

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined;
}
