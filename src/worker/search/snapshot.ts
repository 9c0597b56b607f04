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
  // Compaction drops removed documents, renumbers the rest 0…n−1 and purges every list.
  if (state.docs.live !== state.docs.slots || state.removed.length > 0) state.compact();
  const { docs } = state;
  const n = docs.slots;
  const tagCounts: number[] = [];
  const tagIds: number[] = [];
  for (let d = 0; d < n; d++) {
    const from = docs.tagStart[d]!;
    const count = docs.tagCount[d]!;
    tagCounts.push(count);
    for (let i = from; i < from + count; i++) tagIds.push(docs.tagPool[i]!);
  }
  const terms: string[] = [];
  const ids: number[] = [];
  for (const [term, id] of state.dict) {
    terms.push(term);
    ids.push(id);
  }
  const size = state.postings.size;
  const counts = new IntWriter(ids.length);
  const gaps = new IntWriter(size);
  const freqs = new IntWriter(size);
  state.postings.write(ids, counts, gaps, freqs);
  return {
    collections: [...state.collections.names],
    tags: [...state.tags.names],
    keys: docs.keys.slice(0, n),
    titles: docs.titles.slice(0, n),
    collection: packInts(docs.collection.subarray(0, n)),
    tagCounts: packInts(tagCounts),
    tagIds: packInts(tagIds),
    lengths: packInts(docs.lengths.subarray(0, n * FIELD_COUNT)),
    terms,
    counts: counts.toString(),
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
  const dict = new SearchableMap<number>();
  terms.forEach((term, id) => dict.set(term, id));
  if (dict.size !== terms.length) return undefined;
  state.dict = dict;
  return state;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v): v is string => typeof v === 'string') ? value : undefined;
}
