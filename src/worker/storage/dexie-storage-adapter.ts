// automerge-repo's storage, kept in the engine's one Dexie database (the `chunks` table) instead of
// a second IndexedDB database of its own, so documents and the read models derived from them live
// side by side and can share a transaction when that is needed.

import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import type { Table } from 'dexie';
import type { ChunkKey, ChunkRow, PinaxDb } from '../db.ts';

/**
 * The key range holding every key that starts with `prefix` (the prefix itself included).
 *
 * IndexedDB compares array keys element by element, a shorter array sorting before any longer one
 * that it begins, and ranks types number < date < string < binary < array. So `[...prefix, []]`
 * sorts after every `[...prefix, someString, ...]` yet before the next sibling: with the prefix
 * ['a'], ['ab'] is above the upper bound because 'ab' > 'a' decides at the first element. A
 * "\uffff" sentinel instead of `[]` would wrongly drop a key whose next part starts with U+FFFF.
 */
export function prefixRange(prefix: StorageKey): [lower: ChunkKey, upper: unknown[]] {
  return [prefix, [...prefix, []]];
}

/**
 * A copy that owns its whole buffer. Storing a typed array structured-clones its entire underlying
 * ArrayBuffer, so a small view into a large buffer (a subarray of a network message, say) would
 * otherwise persist the whole buffer, and `load` would hand back a view into that bloated copy.
 */
function compact(data: Uint8Array): Uint8Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data);
}

/**
 * A row as this adapter writes it. `seq` is a write stamp, not indexed: the range query still runs
 * in key order, and only its (already fetched) result is re-sorted by it. automerge-repo 2.5.6's
 * conformance suite expects loadRange to return chunks in write order. Automerge itself does not
 * need that order (loadIncremental accepts chunks in any order), but incrementals loaded in write order
 * arrive roughly in causal order rather than in (random) hash order.
 */
interface StoredChunk extends ChunkRow {
  seq?: number;
}

export class DexieStorageAdapter implements StorageAdapterInterface {
  readonly #chunks: Table<ChunkRow, ChunkKey>;
  /** Microseconds since the epoch, bumped so stamps stay strictly increasing within this adapter. */
  #lastSeq = 0;

  /** Takes the database or just its `chunks` table (tests and callers may hold either). */
  constructor(db: PinaxDb | Table<ChunkRow, ChunkKey>) {
    this.#chunks = 'chunks' in db ? db.chunks : db;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const row = await this.#run('load', key, () => this.#chunks.get(key));
    return row?.data;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.#lastSeq = Math.max(Date.now() * 1000, this.#lastSeq + 1);
    const row: StoredChunk = { key: [...key], data: compact(data), seq: this.#lastSeq };
    await this.#run('save', key, () => this.#chunks.put(row));
  }

  async remove(key: StorageKey): Promise<void> {
    await this.#run('remove', key, () => this.#chunks.delete(key));
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const rows: StoredChunk[] = await this.#run('loadRange', keyPrefix, () =>
      this.#inRange(keyPrefix).toArray(),
    );
    // A stable sort: rows without a stamp (written elsewhere) keep their key order, first.
    rows.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
    return rows.map(({ key, data }) => ({ key, data }));
  }

  /** Whether any chunk lives under the prefix, without reading the chunks' data. */
  async hasAny(keyPrefix: StorageKey): Promise<boolean> {
    const count = await this.#run('hasAny', keyPrefix, () => this.#inRange(keyPrefix).limit(1).count());
    return count > 0;
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    // Collection.delete() runs in one readwrite transaction: the range goes entirely or not at all.
    await this.#run('removeRange', keyPrefix, () => this.#inRange(keyPrefix).delete());
  }

  #inRange(prefix: StorageKey) {
    const [lower, upper] = prefixRange(prefix);
    // ':id' is the primary key; `between` becomes one IDBKeyRange.bound query, not a table scan.
    // Both bounds inclusive: the lower one so the key equal to the prefix is found; the upper one
    // can never equal a real key (those hold only strings), so its inclusivity does not matter.
    return this.#chunks.where(':id').between(lower, upper, true, true);
  }

  /**
   * Runs one Dexie operation as a native promise that always settles, and turns a failure
   * (quota exceeded, database closed or blocked, invalid key...) into an Error naming the
   * operation and key, with the original kept as `cause`. Synchronous throws are caught too.
   */
  async #run<T>(op: string, key: StorageKey, fn: () => PromiseLike<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      throw new Error(`DexieStorageAdapter.${op}(${JSON.stringify(key)}) failed: ${reason}`, { cause });
    }
  }
}
