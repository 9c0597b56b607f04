// The joined collections: their live documents and the persisted sidebar read model. The list is
// served from IndexedDB before Automerge has even loaded, so the first frame never waits on wasm or
// on replaying documents.

import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo/slim';
import { Automerge, isValidDocumentId, stringifyAutomergeUrl } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import type { CollectionId, CollectionState, CollectionSummary, TransferProgress } from '../shared/types.ts';
import { MALFORMED_COLLECTION_LINK } from '../shared/types.ts';
import type { CollectionRow, PinaxDb } from './db.ts';
import type { CollectionDoc } from './domain/collection-doc.ts';
import { COLLECTION_KIND, initialCollection } from './domain/collection-doc.ts';
import { LiveCollection } from './live-collection.ts';
import { milestone } from './milestones.ts';
import { ForegroundReads } from './read-models/foreground-reads.ts';
import type { Bootstrap } from './network/snapshot-bootstrap.ts';
import { adoptSnapshot } from './network/snapshot-bootstrap.ts';
import type { Home } from './home.ts';
import type { ReadModels } from './read-models/read-models.ts';
import type { TableChangeFeed } from './table-change-feed.ts';
import { tableChangeFeed } from './table-change-feed.ts';
import { createAuthored } from '../shared/access/authored.ts';
import { splitLoadedDocument } from '../shared/value-column.ts';

export type ListListener = (rows: CollectionSummary[]) => void;
export type StateListener = (state: CollectionState) => void;

export class CollectionStore {
  #db: PinaxDb;
  #repo: Promise<Repo>;
  #live = new Map<CollectionId, Promise<LiveCollection | undefined>>();
  #unavailable = new Map<CollectionId, string>();
  #rowWrites = new Map<CollectionId, ReturnType<typeof setTimeout>>();
  #retriedListeners = new Set<(id: CollectionId) => void>();
  /** Unavailable collections whose document handle is watched for a late arrival. */
  #watched = new Set<CollectionId>();
  #bootstrap: Bootstrap;
  #readModels: ReadModels | undefined;
  #connected: () => boolean;
  #home: Home | undefined;
  #homeIds = new Set<string>();
  /** Collections loading, and read models being derived for them: what a person opening one waits for. */
  #loads = new ForegroundReads();
  #progress = new Map<CollectionId, TransferProgress>();
  #progressListeners = new Set<(id: CollectionId, progress: TransferProgress) => void>();
  /** Every write to the collections table goes through #putRow or #deleteRow, which notify. */
  #listChanged: TableChangeFeed;

  /**
   * `bootstrap` may store a whole snapshot of a document the device has nothing of yet;
   * `readModels` are kept current for every loaded collection.
   */
  constructor(
    db: PinaxDb,
    repo: Promise<Repo>,
    options: { bootstrap?: Bootstrap; readModels?: ReadModels; connected?: () => boolean; home?: Home } = {},
  ) {
    this.#db = db;
    this.#repo = repo;
    this.#bootstrap = options.bootstrap ?? (() => Promise.resolve(undefined));
    this.#readModels = options.readModels;
    this.#connected = options.connected ?? (() => true);
    this.#home = options.home;
    this.#listChanged = tableChangeFeed(`${db.name}:collections`);
  }

  /** Reports download progress of a collection arriving (the bootstrap's snapshot). */
  reportProgress(id: CollectionId, progress: TransferProgress): void {
    this.#progress.set(id, progress);
    for (const listener of this.#progressListeners) listener(id, progress);
  }

  /** The latest download progress of a collection still arriving, if any. */
  progressOf(id: CollectionId): TransferProgress | undefined {
    return this.#progress.get(id);
  }

  /** Download progress of collections arriving; returns the unsubscribe. */
  onProgress(listener: (id: CollectionId, progress: TransferProgress) => void): () => void {
    this.#progressListeners.add(listener);
    return () => this.#progressListeners.delete(listener);
  }

  async list(): Promise<CollectionSummary[]> {
    const rows = await this.#db.collections.orderBy('joinedAt').toArray();
    return rows.map(({ joinedAt: _joinedAt, ...summary }) => summary);
  }

  /** The sidebar row of a joined collection, or undefined. */
  async summary(id: CollectionId): Promise<CollectionSummary | undefined> {
    const row = await this.#db.collections.get(id);
    if (!row) return undefined;
    const { joinedAt: _joinedAt, ...summary } = row;
    return summary;
  }

  /** Subscribes to the joined-collections list; returns the unsubscribe. */
  subscribeList(listener: ListListener): () => void {
    let active = true;
    let latest = 0;
    // Also on writes by other engines (the BroadcastChannel fallback runs one per tab). Reads can
    // overlap: only the newest one's answer is passed on.
    const read = () => {
      const n = ++latest;
      this.list().then(
        (rows) => {
          if (active && n === latest) listener(rows);
        },
        (error: unknown) => log.error('collection list query failed', error),
      );
    };
    const off = this.#listChanged.subscribe(read);
    read();
    return () => {
      active = false;
      off();
    };
  }

  /** A new collection, written by `author` (its first change names them: shared/access/authored.ts). */
  async create(name: string, description: string, author: string): Promise<LiveCollection> {
    const repo = await this.#repo;
    const handle = createAuthored(repo, initialCollection(name, description, Date.now()), author);
    const id = handle.documentId as string as CollectionId;
    const live = new LiveCollection(id, handle);
    this.#track(live);
    this.#live.set(id, Promise.resolve(live));
    await this.#putRow(live.summary);
    await this.#joinHome(id);
    return live;
  }

  /** Joins a collection by id (from its URL) and starts fetching it. */
  async join(id: CollectionId): Promise<void> {
    const isNew = !(await this.#db.collections.get(id));
    if (isNew) {
      const now = Date.now();
      await this.#putRow({
        id,
        name: 'Untitled collection',
        description: '',
        itemCount: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
    // Fetching starts first: recording the join needs Automerge loaded, the fetch does not.
    void this.get(id);
    if (isNew) await this.#joinHome(id);
  }

  /** The live collection, loading it on first use; undefined when it cannot be found. */
  get(id: CollectionId): Promise<LiveCollection | undefined> {
    let pending = this.#live.get(id);
    if (!pending) {
      pending = this.#loads.track(this.#load(id));
      this.#live.set(id, pending);
    }
    return pending;
  }

  /** The state a subscriber should render right now, without waiting. */
  async currentState(id: CollectionId): Promise<CollectionState> {
    if (!isValidDocumentId(id))
      return { status: 'unavailable', id, reason: MALFORMED_COLLECTION_LINK, malformed: true };
    const reason = this.#unavailable.get(id);
    if (reason) return { status: 'unavailable', id, reason };
    const live = await this.get(id);
    if (!live)
      return {
        status: 'unavailable',
        id,
        reason: this.#unavailable.get(id) ?? 'This collection could not be found.',
      };
    return { status: 'ready', collection: live.summary, items: live.items };
  }

  /**
   * Called after a collection that was unavailable was tried again, whether it loaded or not, so
   * subscribers can show its state now (say, "could not be found" instead of a download that ended).
   * Returns the unsubscribe.
   */
  onRetried(listener: (id: CollectionId) => void): () => void {
    this.#retriedListeners.add(listener);
    return () => this.#retriedListeners.delete(listener);
  }

  /**
   * Retries collections that could not be found, e.g. once the relay connection is back. Just after
   * a reconnection the relay may not answer yet: while connected, a failed retry is tried again a
   * few times, 2 s apart, before the collection is left unavailable until the next reconnection (or
   * until its document arrives by sync anyway, see #watchForArrival).
   */
  retryUnavailable(attempt = 0): void {
    // A malformed id is unavailable for good: nobody is asked again.
    const ids = [...this.#unavailable.keys()].filter((id) => isValidDocumentId(id));
    if (ids.length === 0) return;
    void Promise.all(ids.map((id) => this.#retry(id))).then((loaded) => {
      if (loaded.includes(false) && attempt < MAX_QUICK_RETRIES && this.#connected())
        setTimeout(() => this.retryUnavailable(attempt + 1), 2_000);
    });
  }

  async forget(id: CollectionId): Promise<void> {
    await this.#deleteRow(id);
    await this.#readModels?.removeCollection(id);
    if (this.#home) {
      this.#homeIds.delete(id);
      const homeId = await this.#home.leave(id);
      await this.flush([homeId]);
    }
  }

  /**
   * Resolves once no collection is loading or having its read models derived, or after `maxWaitMs`
   * at the latest. Start-up chores wait for it: on a fresh device they would otherwise share the
   * engine with the collection a link just opened (creating the home document alone is ~100 ms).
   */
  loadsSettled(maxWaitMs = LOADS_SETTLED_MAX_MS): Promise<void> {
    return this.#loads.settled(maxWaitMs);
  }

  /** Loads every joined collection in the background so offline edits reach the relay. */
  async loadAllJoined(): Promise<void> {
    if (this.#home) await this.#syncWithHome(this.#home);
    for (const row of await this.list()) {
      // Rows from before ids were validated on join: drop them rather than show junk forever.
      if (!isValidDocumentId(row.id)) await this.forget(row.id);
      else await this.get(row.id);
    }
  }

  async flush(ids: readonly string[]): Promise<void> {
    const repo = await this.#repo;
    await repo.flush(ids as DocumentId[]);
  }

  /** Records a join in the home document, durably. */
  async #joinHome(id: CollectionId): Promise<void> {
    if (!this.#home) return;
    this.#homeIds.add(id);
    const homeId = await this.#home.join(id);
    await this.flush([homeId]);
  }

  /**
   * The sidebar rows follow the home document: rows of profiles from before it are added to it once,
   * and joins and leaves made by another engine of this profile show up here.
   */
  async #syncWithHome(home: Home): Promise<void> {
    const joined = new Set(await home.joined());
    for (const row of await this.#db.collections.orderBy('joinedAt').toArray()) {
      if (!joined.has(row.id) && isValidDocumentId(row.id)) {
        await home.join(row.id, row.joinedAt);
        joined.add(row.id);
      }
    }
    for (const id of joined)
      if (!(await this.#db.collections.get(id as CollectionId))) await this.join(id as CollectionId);
    this.#homeIds = joined;
    home.subscribe((ids) => {
      const next = new Set(ids);
      const added = ids.filter((id) => !this.#homeIds.has(id));
      // Only what left the home document since we last looked: a row created a moment ago may not
      // have reached the document yet.
      const removed = [...this.#homeIds].filter((id) => !next.has(id));
      this.#homeIds = next;
      for (const id of added) void this.join(id as CollectionId);
      for (const id of removed)
        void this.#deleteRow(id as CollectionId).then(() => this.#readModels?.removeCollection(id));
    });
  }

  async #load(id: CollectionId): Promise<LiveCollection | undefined> {
    if (!isValidDocumentId(id)) {
      this.#unavailable.set(id, MALFORMED_COLLECTION_LINK);
      return undefined;
    }
    // Only fetched when nothing is stored, and started before Automerge's wasm is ready (the two
    // overlap); it must land before find() reads storage.
    milestone('collection-load');
    const bootstrapped = this.#bootstrap(id);
    const repo = await this.#repo;
    const snapshot = await bootstrapped;
    this.#progress.delete(id);
    // A handle from an earlier attempt (say, while offline) stays unavailable and never rereads
    // storage: hand it the snapshot directly, once stored, and it becomes ready.
    const stale = repo.handles[id as string as DocumentId];
    if (snapshot && stale && !stale.isReady()) {
      await snapshot.written.then(
        () => void stale.update((doc) => Automerge.loadIncremental(doc, snapshot.bytes)),
        () => undefined, // not stored: left to sync, as with no snapshot at all
      );
    } else if (snapshot && !stale) {
      await adoptSnapshot(repo, id, snapshot);
    }
    try {
      const handle = await repo.find<CollectionDoc>(stringifyAutomergeUrl({ documentId: id }));
      if (handle.doc()?.kind !== COLLECTION_KIND) {
        this.#markUnavailable(id, 'This document is not a Pinax collection.');
        return undefined;
      }
      milestone('collection-loaded');
      const live = new LiveCollection(id, handle);
      this.#track(live);
      this.#scheduleRow(live);
      this.#prepareForEdits(live);
      return live;
    } catch (error) {
      if (/unavailable/i.test(String(error))) {
        log.info('a collection is unavailable');
        // Nobody could be asked: say so, and retry once the relay is back (retryUnavailable).
        this.#markUnavailable(
          id,
          this.#connected() ? 'This collection could not be found.' : 'Waiting for connection…',
        );
        this.#watchForArrival(id, repo.handles[id as string as DocumentId]);
      } else {
        // Not "nobody has it": something failed while loading what we have. Say so, loudly.
        log.error('a collection failed to load', error);
        this.#markUnavailable(id, `This collection could not be opened: ${String(error)}`);
      }
      return undefined;
    }
  }

  /** Says why the collection cannot be shown; its items are not about to be indexed either. */
  #markUnavailable(id: CollectionId, reason: string): void {
    this.#unavailable.set(id, reason);
    this.#readModels?.collectionUnavailable(id);
  }

  /** Loads an unavailable collection again; true when it loaded (or is already being loaded). */
  async #retry(id: CollectionId): Promise<boolean> {
    if (!this.#unavailable.has(id)) return true;
    this.#unavailable.delete(id);
    this.#live.delete(id);
    const live = await this.get(id);
    for (const listener of this.#retriedListeners) listener(id);
    return live !== undefined;
  }

  /**
   * An unavailable document can still arrive later by sync (a peer that answered late, a relay
   * that was restarting): its handle then turns ready on its own. Load the collection when it does,
   * instead of leaving it "not found" until the next reconnection.
   */
  #watchForArrival(id: CollectionId, handle: DocHandle<unknown> | undefined): void {
    if (!handle || this.#watched.has(id)) return;
    this.#watched.add(id);
    handle
      .whenReady(['ready'])
      .then(() => {
        this.#watched.delete(id);
        log.info('an unavailable collection arrived; loading it');
        return this.#retry(id);
      })
      // whenReady gives up after a while: the next reconnection retries it anyway.
      .catch(() => this.#watched.delete(id));
  }

  #track(live: LiveCollection): void {
    live.subscribe(() => this.#scheduleRow(live));
    const readModels = this.#readModels;
    // After the current task: whoever asked for the collection renders it before the catalog and
    // index are derived. Counted as loading from now: the load calling this settles before that.
    if (readModels && !live.deleted)
      this.#loads
        .track(
          new Promise((resolve) => setTimeout(resolve, 0)).then(() => readModels.track(live.id, live.handle)),
        )
        .catch((error: unknown) => log.error('could not derive read models', error));
  }

  /**
   * A document loaded from bytes makes its first edits slow and memory-hungry until its value column
   * is split (src/shared/value-column.ts). Done once nothing is loading: it is in nobody's way.
   */
  #prepareForEdits(live: LiveCollection): void {
    splitLoadedDocument(
      // Not once the handle is gone (deleted, unloaded): doc() would throw.
      () => (live.handle.isReady() ? live.handle.doc() : undefined),
      () => this.loadsSettled(),
    ).then(
      (splits) => log.debug(`value column split (${splits} points)`),
      (error: unknown) => log.warn('could not split the value column', error),
    );
  }

  // Sidebar rows are written at most every 250 ms: a 10k-item import must not do 10k row writes.
  #scheduleRow(live: LiveCollection): void {
    if (this.#rowWrites.has(live.id)) return;
    this.#rowWrites.set(
      live.id,
      setTimeout(() => {
        this.#rowWrites.delete(live.id);
        const write = live.deleted ? this.forget(live.id) : this.#putRow(live.summary);
        write.catch((error: unknown) => log.error('could not store collection row', error));
      }, 250),
    );
  }

  async #putRow(summary: CollectionSummary): Promise<void> {
    const existing = await this.#db.collections.get(summary.id);
    const row: CollectionRow = { ...summary, joinedAt: existing?.joinedAt ?? Date.now() };
    await this.#db.collections.put(row);
    this.#listChanged.notify();
  }

  async #deleteRow(id: CollectionId): Promise<void> {
    await this.#db.collections.delete(id);
    this.#listChanged.notify();
  }
}

const log = makeLogger('pinax:collections');
const MAX_QUICK_RETRIES = 10;
/** How long start-up chores wait for loads at most: a huge collection must not hold them back for good. */
const LOADS_SETTLED_MAX_MS = 5_000;
