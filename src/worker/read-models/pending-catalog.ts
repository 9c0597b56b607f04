// Catalog rows and read-model states derived but not stored yet. They stay readable here until the
// transaction writing them commits, so a write started meanwhile would take them again: writes run
// one at a time. Large sets go in batches, the heads with the last one.

import { makeLogger } from '../../shared/log.ts';
import type { CatalogRow, PinaxDb, ReadModelStateRow } from '../db.ts';
import { itemKey } from '../search/search-index.ts';
import { nextTask } from '../next-task.ts';

export class PendingCatalog {
  #db: PinaxDb;
  #holding: () => boolean;
  #rows = new Map<string, CatalogRow>();
  #states = new Map<string, ReadModelStateRow>();
  #flush: ReturnType<typeof setTimeout> | undefined;
  #write: Promise<void> = Promise.resolve();

  /** While `holding()` says so (a rebuild runs), rows are kept rather than written: see schedule. */
  constructor(db: PinaxDb, holding: () => boolean) {
    this.#db = db;
    this.#holding = holding;
  }

  /** By `itemKey(collectionId, itemId)`. */
  row(key: string): CatalogRow | undefined {
    return this.#rows.get(key);
  }

  /** The rows of one collection waiting to be stored. */
  *rowsOf(collectionId: string): Iterable<CatalogRow> {
    for (const row of this.#rows.values()) if (row.collectionId === collectionId) yield row;
  }

  state(collectionId: string): ReadModelStateRow | undefined {
    return this.#states.get(collectionId);
  }

  putRow(row: CatalogRow): void {
    this.#rows.set(itemKey(row.collectionId, row.itemId), row);
  }

  putState(state: ReadModelStateRow): void {
    this.#states.set(state.collectionId, state);
  }

  dropCollection(collectionId: string): void {
    for (const [key, row] of this.#rows) if (row.collectionId === collectionId) this.#rows.delete(key);
    this.#states.delete(collectionId);
  }

  /** Writes what is pending in ROW_FLUSH_MS, unless rows are being held. */
  schedule(): void {
    // Rows derived during a rebuild wait for its end (they are readable meanwhile, and its heads
    // are recorded only then, so a crash rebuilds either way): written as they came, their
    // structured cloning (~65 µs a row) stretched a 10,000-item rebuild by ~0.6 s.
    if (this.#holding() && this.#rows.size < ROWS_HELD_DURING_REBUILD) return;
    this.#flush ??= setTimeout(() => {
      this.#flush = undefined;
      this.#queueWrite().catch((error: unknown) => log.error('could not store catalog rows', error));
    }, ROW_FLUSH_MS);
  }

  /** Writes everything pending now, after any write in flight. */
  async flush(): Promise<void> {
    clearTimeout(this.#flush);
    this.#flush = undefined;
    await this.#queueWrite();
  }

  #queueWrite(): Promise<void> {
    const write = this.#write.catch(() => undefined).then(() => this.#writeAll());
    this.#write = write;
    return write;
  }

  async #writeAll(): Promise<void> {
    if (this.#rows.size === 0 && this.#states.size === 0) return;
    const rows = [...this.#rows.values()];
    const states = [...this.#states.values()];
    // In batches, yielding between them: each row costs ~0.1 ms of this thread inside IndexedDB's
    // put (measured in Chromium here, indexes or not), so one bulkPut of a rebuild's 10,000 rows
    // held the engine for ~1 s, and 1,000 rows for ~0.1-0.2 s; edits from tabs and devices waited.
    // The heads go with the last batch: a crash before it leaves rows newer than their recorded
    // heads, which the next start re-derives from those heads.
    for (let start = 0; start === 0 || start < rows.length; start += ROW_WRITE_BATCH) {
      const batch = rows.slice(start, start + ROW_WRITE_BATCH);
      const last = start + ROW_WRITE_BATCH >= rows.length;
      await this.#db.transaction('rw', this.#db.catalog, this.#db.readModelState, async () => {
        await this.#db.catalog.bulkPut(batch);
        if (last) await this.#db.readModelState.bulkPut(states);
      });
      for (const row of batch) {
        const key = itemKey(row.collectionId, row.itemId);
        if (this.#rows.get(key) === row) this.#rows.delete(key);
      }
      if (!last) await nextTask();
    }
    for (const state of states)
      if (this.#states.get(state.collectionId) === state) this.#states.delete(state.collectionId);
  }
}

const log = makeLogger('pinax:read-models');
const ROW_FLUSH_MS = 100;
const ROW_WRITE_BATCH = 100;
/** Beyond this many, a rebuild's rows are written as it goes after all (memory). */
const ROWS_HELD_DURING_REBUILD = 50_000;
