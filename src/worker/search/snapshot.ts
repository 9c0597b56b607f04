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
import { Postings } from './postings.ts';

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

export function snapshotOf(state: IndexState): SnapshotBody {
  // Live documents only, renumbered 0…n−1 in order (removed ones may still hold ids and postings).
  const { docs, postings } = state;
  const docMap = new Int32Array(docs.slots).fill(-1);
  const keys: string[] = [];
  const titles: string[] = [];
  const collection: number[] = [];
  const tagCounts: number[] = [];
  const tagIds: number[] = [];
  const lengths: number[] = [];
  for (let d = 0; d < docs.slots; d++) {
    if (docs.alive[d] !== 1) continue;
    docMap[d] = keys.length;
    keys.push(docs.keys[d]!);
    titles.push(docs.titles[d]!);
    collection.push(docs.collection[d]!);
    const from = docs.tagStart[d]!;
    const count = docs.tagCount[d]!;
    tagCounts.push(count);
    for (let i = from; i < from + count; i++) tagIds.push(docs.tagPool[i]!);
    for (let f = 0; f < FIELD_COUNT; f++) lengths.push(docs.lengths[d * FIELD_COUNT + f]!);
  }
  // Terms in the dictionary's order, leaving out those with no live document.
  const terms: string[] = [];
  const counts: number[] = [];
  const gaps = new IntWriter(postings.size);
  const freqs = new IntWriter(postings.size);
  for (const [term, id] of state.dict) {
    const count = postings.write(id, docMap, gaps, freqs);
    if (count === 0) continue;
    terms.push(term);
    counts.push(count);
  }
  return {
    collections: [...state.collections.names],
    tags: [...state.tags.names],
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

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined;
}
