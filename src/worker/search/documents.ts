// The indexed documents, by dense numeric id: what filtering, facets, ranking and hits need of each,
// in typed arrays where possible. Ids are handed out in order and never reused until `compact`
// renumbers the documents still alive (keeping their order), so postings stay sorted by id.

/** Fields, in the order of every per-field array: title, tags, body. */
export const FIELD_COUNT = 3;

/** BM25 parameters (MiniSearch's defaults): term saturation k, length normalization b. */
export const BM25_K = 1.2;
export const BM25_B = 0.7;

/** Strings interned to small ids (collections, tags); ids are never taken back. */
export class Interner {
  readonly names: string[] = [];
  readonly #ids = new Map<string, number>();

  id(name: string): number | undefined {
    return this.#ids.get(name);
  }

  intern(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.#ids.set(name, id);
    }
    return id;
  }
}

export class Documents {
  /** Ids handed out since the last compaction (alive or not). */
  slots = 0;
  /** Documents alive. */
  live = 0;
  /** Bumped on every change; derived data (the BM25 length norms) is recomputed when it moved. */
  version = 0;
  /** Per document: its key, and its title (for listings in title order); '' once removed. */
  keys: string[] = [];
  titles: string[] = [];
  /** Per document: 1 while alive. */
  alive = new Uint8Array(64);
  /** Per document: interned collection id. */
  collection = new Int32Array(64);
  /** Per document and field (FIELD_COUNT per document): the field's length in terms. */
  lengths = new Uint32Array(64 * FIELD_COUNT);
  /** Per document: its tags' interned ids, at tagStart[d] (tagCount[d] of them) in tagPool. */
  tagStart = new Int32Array(64);
  tagCount = new Int32Array(64);
  tagPool = new Int32Array(256);
  tagUsed = 0;
  /** Per field: the summed length over the live documents. */
  readonly lengthSums = new Float64Array(FIELD_COUNT);

  #norms = new Float32Array(0);
  #normsVersion = -1;

  add(
    key: string,
    title: string,
    collection: number,
    tags: readonly number[],
    lengths: ArrayLike<number>,
  ): number {
    const d = this.slots++;
    if (d === this.alive.length) this.#grow(d * 2);
    if (this.tagUsed + tags.length > this.tagPool.length) {
      const pool = new Int32Array(Math.max(this.tagPool.length * 2, this.tagUsed + tags.length));
      pool.set(this.tagPool.subarray(0, this.tagUsed));
      this.tagPool = pool;
    }
    this.keys[d] = key;
    this.titles[d] = title;
    this.alive[d] = 1;
    this.collection[d] = collection;
    this.tagStart[d] = this.tagUsed;
    this.tagCount[d] = tags.length;
    this.tagPool.set(tags, this.tagUsed);
    this.tagUsed += tags.length;
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.lengths[d * FIELD_COUNT + f] = lengths[f]!;
      this.lengthSums[f]! += lengths[f]!;
    }
    this.live++;
    this.version++;
    return d;
  }

  remove(d: number): void {
    if (this.alive[d] !== 1) return;
    this.alive[d] = 0;
    this.keys[d] = '';
    this.titles[d] = '';
    for (let f = 0; f < FIELD_COUNT; f++) this.lengthSums[f]! -= this.lengths[d * FIELD_COUNT + f]!;
    this.live--;
    this.version++;
  }

  hasTag(d: number, tag: number): boolean {
    const from = this.tagStart[d]!;
    const end = from + this.tagCount[d]!;
    for (let i = from; i < end; i++) if (this.tagPool[i] === tag) return true;
    return false;
  }

  /** Adds one to `counts[tag]` for each of the document's tags. */
  countTags(d: number, counts: Int32Array): void {
    const from = this.tagStart[d]!;
    const end = from + this.tagCount[d]!;
    for (let i = from; i < end; i++) counts[this.tagPool[i]!]!++;
  }

  /**
   * Per document and field, BM25's length normalization k·(1 − b + b·length/average length), over
   * the live documents as they are now: a query's per-posting work is then one division per field.
   */
  norms(): Float32Array {
    if (this.#normsVersion === this.version) return this.#norms;
    if (this.#norms.length < this.slots * FIELD_COUNT)
      this.#norms = new Float32Array(this.alive.length * FIELD_COUNT);
    const norms = this.#norms;
    const scale = new Float64Array(FIELD_COUNT);
    for (let f = 0; f < FIELD_COUNT; f++) {
      const average = this.live === 0 ? 0 : this.lengthSums[f]! / this.live;
      scale[f] = average > 0 ? (BM25_K * BM25_B) / average : 0;
    }
    const base = BM25_K * (1 - BM25_B);
    const end = this.slots * FIELD_COUNT;
    for (let i = 0; i < end; i += FIELD_COUNT) {
      for (let f = 0; f < FIELD_COUNT; f++) norms[i + f] = base + scale[f]! * this.lengths[i + f]!;
    }
    this.#normsVersion = this.version;
    return norms;
  }

  /**
   * Renumbers the live documents 0…live−1, keeping their order, and drops the removed ones. Returns
   * the old-to-new id map (-1 for removed documents), for the postings.
   */
  compact(): Int32Array {
    const map = new Int32Array(this.slots).fill(-1);
    const old = {
      alive: this.alive,
      keys: this.keys,
      titles: this.titles,
      collection: this.collection,
      lengths: this.lengths,
      tagStart: this.tagStart,
      tagCount: this.tagCount,
      tagPool: this.tagPool,
    };
    const size = Math.max(64, this.live);
    this.keys = [];
    this.titles = [];
    this.alive = new Uint8Array(size);
    this.collection = new Int32Array(size);
    this.lengths = new Uint32Array(size * FIELD_COUNT);
    this.tagStart = new Int32Array(size);
    this.tagCount = new Int32Array(size);
    let tags = 0;
    for (let d = 0; d < this.slots; d++) if (old.alive[d] === 1) tags += old.tagCount[d]!;
    this.tagPool = new Int32Array(Math.max(256, tags));
    let n = 0;
    this.tagUsed = 0;
    for (let d = 0; d < this.slots; d++) {
      if (old.alive[d] !== 1) continue;
      map[d] = n;
      this.keys.push(old.keys[d] ?? '');
      this.titles.push(old.titles[d] ?? '');
      this.alive[n] = 1;
      this.collection[n] = old.collection[d]!;
      this.lengths.set(old.lengths.subarray(d * FIELD_COUNT, (d + 1) * FIELD_COUNT), n * FIELD_COUNT);
      const from = old.tagStart[d]!;
      const count = old.tagCount[d]!;
      this.tagStart[n] = this.tagUsed;
      this.tagCount[n] = count;
      this.tagPool.set(old.tagPool.subarray(from, from + count), this.tagUsed);
      this.tagUsed += count;
      n++;
    }
    this.slots = n;
    this.version++;
    return map;
  }

  #grow(size: number): void {
    const alive = new Uint8Array(size);
    alive.set(this.alive);
    this.alive = alive;
    const int32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.collection = int32(this.collection);
    this.tagStart = int32(this.tagStart);
    this.tagCount = int32(this.tagCount);
    const lengths = new Uint32Array(size * FIELD_COUNT);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }
}
