// The read models: the catalog (one Dexie row per item, tombstones included) and the search index.
// Both are derived from collection documents by the materializer, on every change whatever its source
// (a command, another tab, the relay, a peer), and persisted in the background, never on the write
// path. Start-up loads them as persisted: search answers before Automerge has even loaded. A
// collection is rebuilt from its document only when the format version changed or its recorded heads
// cannot be diffed; otherwise the models catch up from the heads they recorded.

import type { DocHandle, DocHandleChangePayload } from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';
import type { CatalogRow, PinaxDb } from '../db.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { findItem } from '../domain/collection-doc.ts';
import { allItemIds, catalogRowOf, indexedDocOf, touchedItems } from '../domain/materialize.ts';
import { itemKey, SearchIndex, type IndexedDoc } from '../search/search-index.ts';
import { ForegroundReads } from './foreground-reads.ts';
import { IndexingProgress, type RebuildProgress } from './indexing-progress.ts';
import { IndexStore } from './index-store.ts';
import { PendingCatalog } from './pending-catalog.ts';
import { catchUpIds } from './catch-up.ts';
import { readCollectionRows, readRows, type CatalogSources } from './catalog-reads.ts';
import { rebuildInSlices, type SliceDeriver } from './rebuild-slices.ts';
import { RecentRows } from './recent-rows.ts';
import { warmRecentRows } from './row-warmer.ts';
import { milestone } from '../milestones.ts';
import { isDetached } from '../bulk-write.ts';

/** Bump when CatalogRow's derivation changes: every collection's rows are then rebuilt. 2: snippets
 * are plain text, without Markdown's markup. */
export const CATALOG_FORMAT_VERSION = 2;

export type { RebuildProgress } from './indexing-progress.ts';

export type ReadModelListener = (collectionId: string) => void;

/** Catalog rows of one collection just derived (tombstones included), in derivation order. */
export type RowListener = (rows: readonly CatalogRow[]) => void;

export class ReadModels {
  readonly ready: Promise<void>;
  /**
   * Resolves once the persisted models are loaded and the reads tabs made meanwhile are answered
   * (or STARTUP_READS_MAX_MS after): the engine starts Automerge then, not in the middle of them.
   */
  readonly startupAnswered: Promise<void>;
  #db: PinaxDb;
  #index = new SearchIndex();
  #indexHeads: Record<string, string[]> = {};
  #indexStore: IndexStore;
  #listeners = new Set<ReadModelListener>();
  #indexing = new IndexingProgress();
  #tracked = new Map<string, () => void>();
  #rowListeners = new Map<string, Set<RowListener>>();
  #recentRows = new RecentRows();
  /** Bumped whenever a collection is removed: a cache fill begun before it stops. */
  #removals = 0;
  /** When rows were last derived (performance.now()); the cache fill waits for a quiet spell. */
  #derivedAt = -Infinity;
  #deferred = new Map<string, { handle: DocHandle<CollectionDoc>; ids: Set<string> | 'all' }>();
  /** Counts reads only until start-up is answered; nothing waits on them after. */
  #foreground: ForegroundReads | undefined;
  #pending: PendingCatalog;

  constructor(db: PinaxDb) {
    this.#db = db;
    this.#pending = new PendingCatalog(db, () => this.#indexing.anyRebuilding);
    this.#indexStore = new IndexStore(db, () => ({ index: this.#index, heads: this.#indexHeads }));
    this.ready = this.#indexStore.load().then(({ index, heads, gaps }) => {
      this.#index = index;
      this.#indexHeads = heads;
      this.#indexing.setGaps(gaps);
    });
    const reads = new ForegroundReads();
    this.#foreground = reads;
    this.startupAnswered = this.ready
      .then(() => reads.settled(STARTUP_READS_MAX_MS))
      .then(() => {
        this.#foreground = undefined;
      });
    void this.startupAnswered.then(() => setTimeout(() => void this.#warmRows(), WARM_ROWS_AFTER_MS));
  }

  get index(): SearchIndex {
    return this.#index;
  }

  get progress(): RebuildProgress {
    return this.#indexing.report();
  }

  /** Whether the collection's models are being derived in slices (a rebuild, or a bulk import's). */
  isRebuilding(collectionId: string): boolean {
    return this.#indexing.isRebuilding(collectionId);
  }

  /** Whether items are still to be indexed (progress.pending > 0), without building the report. */
  get indexing(): boolean {
    return this.#indexing.indexing;
  }

  /** Derives and keeps current the read models of a loaded collection; returns the untrack. */
  async track(collectionId: string, handle: DocHandle<CollectionDoc>): Promise<() => void> {
    this.#tracked.get(collectionId)?.();
    await this.ready;
    const state = await this.#db.readModelState.get(collectionId);
    // From here on, synchronous: nothing may change the document between reading it and listening.
    const doc = handle.doc();
    const heads = Automerge.getHeads(doc);
    const catalogIds = catchUpIds(
      doc,
      state?.version === CATALOG_FORMAT_VERSION ? state.heads : undefined,
      heads,
    );
    const indexIds = catchUpIds(doc, this.#indexHeads[collectionId], heads);
    const onChange = ({ doc, patches }: DocHandleChangePayload<CollectionDoc>) => {
      // A bulk write under way names what it wrote once it is done (bulk-write.ts).
      if (isDetached(doc)) return;
      const touched = touchedItems(patches);
      // An edit names an item or two: only a change naming many (or "all" of a large collection)
      // is listed out, to be derived in slices.
      if (touched.all) {
        const ids = allItemIds(doc);
        if (ids.length >= SLICED_DERIVE_MIN_ITEMS) this.#deriveInSlices(collectionId, handle, ids);
        else this.#defer(collectionId, handle, 'all');
      } else if (touched.ids.size >= SLICED_DERIVE_MIN_ITEMS) {
        this.#deriveInSlices(collectionId, handle, [...touched.ids]);
      } else this.#defer(collectionId, handle, touched.ids);
    };
    handle.on('change', onChange);
    const untrack = () => handle.off('change', onChange);
    this.#tracked.set(collectionId, untrack);

    if (catalogIds === 'none' && indexIds === 'none') {
      this.#indexing.closeGap(collectionId);
      return untrack;
    }
    const all = catalogIds === 'all' || indexIds === 'all' ? allItemIds(doc) : [];
    const pick = (ids: string[] | 'all' | 'none') => (ids === 'all' ? all : ids === 'none' ? [] : ids);
    if (catalogIds !== 'all' && indexIds !== 'all') {
      this.#derive(collectionId, doc, pick(catalogIds), pick(indexIds));
      this.#indexing.closeGap(collectionId);
    } else {
      log.info(`building read models of ${all.length} items`);
      await this.#rebuild(collectionId, handle, pick(catalogIds), pick(indexIds));
    }
    return untrack;
  }

  /**
   * A joined collection whose document could not be loaded: its items are not about to be indexed,
   * so search stops saying so. Tracking it later (its document arrived after all) indexes it anyway.
   */
  collectionUnavailable(collectionId: string): void {
    this.#indexing.closeGap(collectionId);
  }

  /** Drops a collection from the read models (it was deleted or forgotten). */
  async removeCollection(collectionId: string): Promise<void> {
    this.#indexing.closeGap(collectionId);
    this.#tracked.get(collectionId)?.();
    this.#tracked.delete(collectionId);
    this.#deferred.delete(collectionId);
    await this.ready;
    this.#index.removeCollection(collectionId);
    delete this.#indexHeads[collectionId];
    this.#pending.dropCollection(collectionId);
    this.#removals++;
    this.#recentRows.dropCollection(collectionId);
    await this.#db.transaction('rw', this.#db.catalog, this.#db.readModelState, async () => {
      await this.#db.catalog.where('collectionId').equals(collectionId).delete();
      await this.#db.readModelState.delete(collectionId);
    });
    this.#indexStore.scheduleSave();
    this.#emit(collectionId);
  }

  /** Catalog rows by key, the newest in memory first, then IndexedDB. */
  rows(keys: ReadonlyArray<[string, string]>): Promise<Array<CatalogRow | undefined>> {
    const read = this.#rows(keys);
    return this.#foreground?.track(read) ?? read;
  }

  /**
   * Every catalog row of a collection (tombstones included) as last derived, or undefined when its
   * catalog was never completed (the collection has not been loaded on this device yet).
   */
  collectionRows(collectionId: string): Promise<CatalogRow[] | undefined> {
    const read = this.#collectionRows(collectionId);
    return this.#foreground?.track(read) ?? read;
  }

  /** Rows of one collection as they are derived from now on; returns the unsubscribe. */
  subscribeRows(collectionId: string, listener: RowListener): () => void {
    let listeners = this.#rowListeners.get(collectionId);
    if (!listeners) this.#rowListeners.set(collectionId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#rowListeners.delete(collectionId);
    };
  }

  /** Called after any read-model change with the collection it concerned; returns the unsubscribe. */
  subscribe(listener: ReadModelListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Rebuild progress, pushed at once and on every slice; returns the unsubscribe. */
  subscribeProgress(listener: (progress: RebuildProgress) => void): () => void {
    return this.#indexing.subscribe(listener);
  }

  /** Writes everything pending now (tests, and before the engine goes away). */
  async flush(): Promise<void> {
    this.#drain();
    await this.#pending.flush();
    await this.#indexStore.flush();
  }

  // ---- reads ----

  #rows(keys: ReadonlyArray<[string, string]>): Promise<Array<CatalogRow | undefined>> {
    this.#drain();
    return readRows(this.#catalogSources(), keys);
  }

  async #warmRows(): Promise<void> {
    const removals = this.#removals;
    try {
      const added = await warmRecentRows(
        this.#db.catalog,
        this.#recentRows,
        () => removals === this.#removals && this.#db.isOpen(),
        () => this.#quiet(),
      );
      log.debug(`${added} catalog rows cached`);
    } catch (error) {
      log.warn('could not cache catalog rows', error); // searches read them from IndexedDB instead
    }
  }

  /**
   * Resolves once nothing has been derived for WARM_ROWS_QUIET_MS and no collection is being rebuilt:
   * no import, sync burst or rebuild is writing rows (a rebuilt collection caches its rows itself).
   */
  async #quiet(): Promise<void> {
    while (this.#indexing.anyRebuilding || performance.now() - this.#derivedAt < WARM_ROWS_QUIET_MS)
      await new Promise((resolve) => setTimeout(resolve, WARM_ROWS_QUIET_MS));
  }

  async #collectionRows(collectionId: string): Promise<CatalogRow[] | undefined> {
    this.#drain();
    const { state, rows } = await readCollectionRows(this.#catalogSources(), collectionId);
    if (state?.version !== CATALOG_FORMAT_VERSION || this.#indexing.isRebuilding(collectionId))
      return undefined;
    return rows;
  }

  #catalogSources(): CatalogSources {
    return { db: this.#db, pending: this.#pending, recentRows: this.#recentRows };
  }

  // ---- deriving ----

  /**
   * Changes are derived just after the task that made them (a microtask), not inside Automerge's
   * change event: a command's commit does not wait for the read models, and a burst of changes in
   * one task (a sync message, an import batch) is derived once, from the latest document.
   */
  #defer(collectionId: string, handle: DocHandle<CollectionDoc>, ids: Set<string> | 'all'): void {
    const queued = this.#deferred.get(collectionId);
    if (!queued) {
      this.#deferred.set(collectionId, { handle, ids: ids === 'all' ? 'all' : new Set(ids) });
      if (this.#deferred.size === 1) queueMicrotask(() => this.#drain());
    } else if (queued.ids !== 'all') {
      if (ids === 'all') queued.ids = 'all';
      else for (const id of ids) queued.ids.add(id);
    }
  }

  #drain(): void {
    const batch = [...this.#deferred];
    this.#deferred.clear();
    for (const [collectionId, { handle, ids }] of batch) {
      const doc = handle.doc();
      const list = ids === 'all' ? allItemIds(doc) : [...ids];
      this.#derive(collectionId, doc, list, list);
    }
  }

  #derive(
    collectionId: string,
    doc: CollectionDoc,
    catalogIds: readonly string[],
    indexIds: readonly string[],
  ): void {
    const derived = this.#deriveItems(collectionId, doc, catalogIds, indexIds);
    this.#afterDerive(collectionId, doc, derived, catalogIds.length > 0, indexIds.length > 0);
  }

  /** Derives the items' catalog rows and index entries; returns the rows (tombstones included). */
  #deriveItems(
    collectionId: string,
    doc: CollectionDoc,
    catalogIds: readonly string[],
    indexIds: readonly string[],
  ): CatalogRow[] {
    const derived: CatalogRow[] = [];
    for (const itemId of catalogIds) {
      const row = catalogRowOf(collectionId, itemId, findItem(doc, itemId));
      if (!row) continue;
      this.#pending.putRow(row);
      this.#recentRows.remember(row);
      derived.push(row);
    }
    const upserts: IndexedDoc[] = [];
    for (const itemId of indexIds) {
      const record = findItem(doc, itemId);
      if (!record || record.deletedAt !== undefined) this.#index.remove(itemKey(collectionId, itemId));
      else upserts.push(indexedDocOf(collectionId, itemId, record));
    }
    this.#index.upsertMany(upserts);
    return derived;
  }

  /** Tells listeners, records the heads (unless rebuilding) and schedules the writes. */
  #afterDerive(
    collectionId: string,
    doc: CollectionDoc,
    derived: readonly CatalogRow[],
    catalogTouched: boolean,
    indexTouched: boolean,
  ): void {
    this.#derivedAt = performance.now();
    if (derived.length > 0)
      for (const listener of this.#rowListeners.get(collectionId) ?? []) listener(derived);
    if (this.#indexing.isRebuilding(collectionId) || isDetached(doc)) {
      // Heads are recorded only once a rebuild is complete, or a crash would leave them claiming
      // items that were never derived; nor from a detached document, whose heads are ahead of it.
    } else {
      const heads = Automerge.getHeads(doc);
      this.#pending.putState({ collectionId, heads, version: CATALOG_FORMAT_VERSION });
      this.#indexHeads[collectionId] = heads;
    }
    if (catalogTouched || this.#pending.state(collectionId)) this.#pending.schedule();
    if (indexTouched) this.#indexStore.scheduleSave();
    this.#emit(collectionId);
  }

  /**
   * Many items at once (a bulk import's), in slices that let other work in, as a rebuild does; or
   * at once when the collection is being rebuilt already (that rebuild reads them too).
   */
  #deriveInSlices(collectionId: string, handle: DocHandle<CollectionDoc>, ids: string[]): void {
    if (this.#indexing.isRebuilding(collectionId)) return this.#defer(collectionId, handle, new Set(ids));
    this.#rebuild(collectionId, handle, ids, ids).catch((error: unknown) => {
      log.error('could not derive a bulk change', error);
    });
  }

  /** A whole collection, in slices (rebuild-slices.ts); then records its heads and saves the index. */
  async #rebuild(
    collectionId: string,
    handle: DocHandle<CollectionDoc>,
    catalogIds: string[],
    indexIds: string[],
  ): Promise<void> {
    milestone('read-models-rebuild');
    const deriver: SliceDeriver = {
      deriveItems: (doc, catalogSlice, indexSlice) =>
        this.#deriveItems(collectionId, doc, catalogSlice, indexSlice),
      afterSlice: (doc, rows, catalogTouched, indexTouched) =>
        this.#afterDerive(collectionId, doc, rows, catalogTouched, indexTouched),
      batch: (derive) => this.#index.batch(derive),
    };
    await rebuildInSlices(collectionId, handle, catalogIds, indexIds, deriver, this.#indexing);
    milestone('read-models-rebuilt');
    this.#derive(collectionId, handle.doc(), [], []); // records the heads
    this.#indexing.emit();
    // ...which the stored index needs (a save forced during a long rebuild ran before they were
    // recorded). Saved soon, not after the usual quiet spell: a rebuild is the costliest work to
    // lose, and closing the last tab within those seconds lost it, so the next start rebuilt again.
    // Not at once: copying the index (~40 ms for 1,000 items in a fresh engine) held back the
    // complete search answers this rebuild has just made possible.
    this.#indexStore.saveSoon(SAVE_AFTER_REBUILD_MS);
  }

  // ---- notifications ----

  #emit(collectionId: string): void {
    for (const listener of this.#listeners) listener(collectionId);
  }
}

const log = makeLogger('pinax:read-models');

/**
 * When the stored catalog rows are read into memory: after start-up, once the joined collections have
 * usually been loaded, so the reads do not compete with them.
 */
const WARM_ROWS_AFTER_MS = 2_000;
/** How long nothing must have been derived before the cache fill reads its next page. */
const WARM_ROWS_QUIET_MS = 500;
/** Changes naming this many items (or "all" of a collection this large) are derived in slices. */
const SLICED_DERIVE_MIN_ITEMS = 2_000;
/** How long after a rebuild its index is saved: once the searches it completes have answered. */
const SAVE_AFTER_REBUILD_MS = 200;
/** How long reads at start-up may hold Automerge back at most (a cold start's take ~100 ms). */
const STARTUP_READS_MAX_MS = 1_000;
