// Where the search index lives between starts: one IndexedDB row holding the serialized index and
// the document heads it reflects. It is written in the background, never on the write path: after
// changes settle for a while, and at least every INDEX_SAVE_MAX_MS while they keep coming. An index
// that is lost or stale only costs a catch-up from the documents at the next start.

import { makeLogger } from '../../shared/log.ts';
import type { PinaxDb } from '../db.ts';
import { SearchIndex } from '../search/search-index.ts';
import { nextTask } from '../next-task.ts';
import { indexGaps, type IndexGap } from './index-gaps.ts';

/** What the engine indexed, as one piece: the index and the heads of each collection in it. */
export interface IndexSnapshot {
  index: SearchIndex;
  heads: Record<string, string[]>;
}

export interface LoadedIndex extends IndexSnapshot {
  /** What the stored index lacks, per collection, against the catalog (see index-gaps.ts). */
  gaps: Map<string, IndexGap>;
}

export class IndexStore {
  #db: PinaxDb;
  #current: () => IndexSnapshot;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dirtySince = 0;
  #saving: Promise<void> = Promise.resolve();

  /** `current` gives what to save, read at the moment of saving. */
  constructor(db: PinaxDb, current: () => IndexSnapshot) {
    this.#db = db;
    this.#current = current;
  }

  /** The stored index, or an empty one when there is none, it cannot be read, or its format changed. */
  async load(): Promise<LoadedIndex> {
    let loaded: IndexSnapshot = { index: new SearchIndex(), heads: {} };
    try {
      // The other two only tell search what is still to index: without them it just cannot say.
      const [row, collections, states] = await Promise.all([
        this.#db.searchIndex.get('global'),
        this.#db.collections.toArray().catch(() => undefined),
        this.#db.readModelState.toArray().catch(() => []),
      ]);
      const index = row ? SearchIndex.deserialize(row.index) : undefined;
      if (row && !index) log.info('search index format changed; it will be rebuilt from documents');
      if (row && index) loaded = { index, heads: row.heads };
      if (collections) dropLeftCollections(loaded, new Set(collections.map((c) => c.id)));
      const { index: found, heads } = loaded;
      return { ...loaded, gaps: indexGaps(collections ?? [], states, heads, (id) => found.countIn(id)) };
    } catch (error) {
      log.error('could not load the search index; it will be rebuilt from documents', error);
      return { ...loaded, gaps: new Map() };
    }
  }

  /** The index changed: saves it once changes settle (or have gone on for INDEX_SAVE_MAX_MS). */
  scheduleSave(): void {
    const now = Date.now();
    if (this.#timer === undefined) this.#dirtySince = now;
    clearTimeout(this.#timer);
    const wait = Math.min(INDEX_SAVE_IDLE_MS, Math.max(0, this.#dirtySince + INDEX_SAVE_MAX_MS - now));
    this.#timer = setTimeout(() => this.saveSoon(), wait);
  }

  /**
   * Saves now, or within `delayMs`, in the background (after a rebuild, say: a crash then would
   * cost the whole rebuild). Changes meanwhile may bring a delayed save closer, never put it off.
   */
  saveSoon(delayMs = 0): void {
    if (delayMs > 0) {
      // scheduleSave waits at most until dirtySince + INDEX_SAVE_MAX_MS: that is our deadline.
      this.#dirtySince = Date.now() - INDEX_SAVE_MAX_MS + delayMs;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.saveSoon(), delayMs);
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#save().catch((error: unknown) => log.error('could not store the search index', error));
  }

  /** Writes a scheduled save now, or waits for one under way (tests; before the engine goes away). */
  async flush(): Promise<void> {
    if (this.#timer === undefined) return this.#saving.catch(() => undefined);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#save();
  }

  // Copying, encoding and storing a 10,000-item index held the engine for ~170 ms in one task, and
  // edits from other tabs and devices waited for it. The copy is taken at once (a few milliseconds),
  // so the index and heads stored are those of this moment; the encoding then runs a few
  // milliseconds per task, and the put in a task of its own. Saves are chained, so an older one
  // never lands after a newer one.
  #save(): Promise<void> {
    const { index, heads } = this.#current();
    const encoding = index.snapshot();
    const savedHeads = { ...heads };
    const save = this.#saving
      .catch(() => undefined)
      .then(async () => {
        let json: string;
        for (;;) {
          await nextTask();
          const step = encoding.next();
          if (step.done) {
            json = step.value;
            break;
          }
        }
        await nextTask();
        await this.#db.searchIndex.put({ id: 'global', index: json, heads: savedHeads });
      });
    this.#saving = save;
    return save;
  }
}

/**
 * Drops from a loaded index the collections this profile no longer has. Leaving one removes it from
 * the index in memory, but the stored index follows only after INDEX_SAVE_IDLE_MS: an engine that
 * stopped sooner (the last tab closed right after "Delete collection") kept its items in the stored
 * index, and every search after the next start counted them in its totals and tag facets (the hits
 * themselves are filtered by the joined collections' names).
 */
function dropLeftCollections(loaded: IndexSnapshot, joined: ReadonlySet<string>): void {
  for (const id of loaded.index.collectionIds()) if (!joined.has(id)) loaded.index.removeCollection(id);
  for (const id of Object.keys(loaded.heads)) if (!joined.has(id)) delete loaded.heads[id];
}

const log = makeLogger('pinax:read-models');

const INDEX_SAVE_IDLE_MS = 2_000;
const INDEX_SAVE_MAX_MS = 10_000;
