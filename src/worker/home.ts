// The home document: this profile's own Automerge document listing the collections it has joined,
// the user's intent (seed 004). Joining, creating and leaving a collection write it; the sidebar's
// Dexie rows are its read model, so the list still renders before Automerge loads. Engines of one
// profile (the fallback runs one per tab) share it through IndexedDB and BroadcastChannel.

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { isValidDocumentId } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import { HOME_KIND } from '../shared/personal-docs.ts';
import type { PinaxDb } from './db.ts';

export interface HomeDoc {
  kind: typeof HOME_KIND;
  schema: 1;
  /** Joined collection id -> when it was joined. A map, so joins on two engines merge as a set. */
  collections: Record<string, { joinedAt: number }>;
  /** The user's devices (src/worker/identity/devices.ts), by device key. */
  devices?: Record<string, HomeDevice>;
  /** Automerge URL of the user's activity stream (src/worker/social/activity-service.ts). */
  activity?: string;
  /** Users whose activity streams the user follows, by user key. */
  following?: Record<string, { activity: string; name: string; since: number }>;
  /** Collections whose comments and likes the user follows, by collection id. */
  followingCollections?: Record<string, { since: number }>;
}

export interface HomeDevice {
  label: string;
  linkedAt: number;
  revokedAt?: number;
}

const META_KEY = 'home';

export class Home {
  #repo: Promise<Repo>;
  #db: PinaxDb;
  #handle: Promise<DocHandle<HomeDoc>> | undefined;
  #claim: (documentId: string) => void;
  #whenIdle: () => Promise<void>;

  /**
   * `claim` is told the home document's id once it is open, to register it as the user's own.
   * `whenIdle`: opening waits for it (the engine passes "no collection is loading"). What the home
   * document serves (the joined list's sync, devices, follows) can wait that long, and on a fresh
   * device creating it competed with the first collection's download and load.
   */
  constructor(
    repo: Promise<Repo>,
    db: PinaxDb,
    claim: (documentId: string) => void = () => undefined,
    whenIdle: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.#repo = repo;
    this.#db = db;
    this.#claim = claim;
    this.#whenIdle = whenIdle;
  }

  /** The home document, found by the id kept in IndexedDB or created on first use. */
  handle(): Promise<DocHandle<HomeDoc>> {
    this.#handle ??= this.#open().then((handle) => {
      this.#claim(handle.documentId);
      return handle;
    });
    return this.#handle;
  }

  /** Joined collections as the home document lists them (valid ids only, oldest join first). */
  async joined(): Promise<string[]> {
    return joinedIds((await this.handle()).doc());
  }

  async join(collectionId: string, joinedAt = Date.now()): Promise<string> {
    const handle = await this.handle();
    if (!handle.doc().collections?.[collectionId])
      handle.change((doc) => {
        doc.collections ??= {};
        doc.collections[collectionId] = { joinedAt };
      });
    return handle.documentId;
  }

  async leave(collectionId: string): Promise<string> {
    const handle = await this.handle();
    if (handle.doc().collections?.[collectionId])
      handle.change((doc) => {
        delete doc.collections[collectionId];
      });
    return handle.documentId;
  }

  /** Calls `listener` with the joined ids whenever the home document changes; returns the unsubscribe. */
  subscribe(listener: (ids: string[]) => void): () => void {
    return this.#watch((doc) => listener(joinedIds(doc)), false);
  }

  /** The user's devices now and on every change of the home document; returns the unsubscribe. */
  subscribeDevices(listener: (devices: Record<string, HomeDevice>) => void): () => void {
    return this.#watch((doc) => listener({ ...(doc?.devices ?? {}) }), true);
  }

  /** Lists a device of the user, once (its entry is never overwritten). Returns the document id. */
  async recordDevice(device: string, label: string, linkedAt: number): Promise<string> {
    const handle = await this.handle();
    if (!handle.doc().devices?.[device])
      handle.change((doc) => {
        doc.devices ??= {};
        doc.devices[device] = { label, linkedAt };
      });
    return handle.documentId;
  }

  async markRevoked(device: string, revokedAt: number): Promise<string> {
    const handle = await this.handle();
    handle.change((doc) => {
      doc.devices ??= {};
      const entry = doc.devices[device];
      if (entry) entry.revokedAt = revokedAt;
      else doc.devices[device] = { label: 'Unknown device', linkedAt: revokedAt, revokedAt };
    });
    return handle.documentId;
  }

  /** Changes the home document (fields other than the joined collections); returns its id. */
  async update(change: (doc: HomeDoc) => void): Promise<string> {
    const handle = await this.handle();
    handle.change(change);
    return handle.documentId;
  }

  /** The home document's current state (after it has loaded). */
  async current(): Promise<HomeDoc> {
    return (await this.handle()).doc();
  }

  /** Calls `listener` with the whole home document now and on every change; returns the unsubscribe. */
  watch(listener: (doc: HomeDoc | undefined) => void): () => void {
    return this.#watch(listener, true);
  }

  #watch(send: (doc: HomeDoc | undefined) => void, now: boolean): () => void {
    let off: (() => void) | undefined;
    let active = true;
    void this.handle().then((handle) => {
      if (!active) return;
      const onChange = () => send(handle.doc());
      handle.on('change', onChange);
      off = () => handle.off('change', onChange);
      if (now) onChange();
    });
    return () => {
      active = false;
      off?.();
    };
  }

  async #open(): Promise<DocHandle<HomeDoc>> {
    const repo = await this.#repo;
    await this.#whenIdle();
    const saved = await this.#db.meta.get(META_KEY);
    if (typeof saved?.value === 'string' && isValidDocumentId(saved.value)) {
      try {
        return await repo.find<HomeDoc>(saved.value);
      } catch (error) {
        // Not stored here yet (a device just linked to its user): it arrives from the relay.
        const arriving: DocHandle<HomeDoc> | undefined = repo.handles[saved.value];
        if (arriving && (await readyWithin(arriving, ARRIVAL_WAIT_MS))) return arriving;
        // Its storage is gone (cleared site data, say): start a new one rather than lose the app.
        log.error('home document could not be loaded; starting a new one', error);
      }
    }
    const handle = repo.create<HomeDoc>({ kind: HOME_KIND, schema: 1, collections: {} });
    await this.#db.meta.put({ key: META_KEY, value: handle.documentId });
    await repo.flush([handle.documentId]);
    return handle;
  }
}

function joinedIds(doc: HomeDoc | undefined): string[] {
  const entries =
    doc?.collections && typeof doc.collections === 'object' ? Object.entries(doc.collections) : [];
  return entries
    .filter(([id]) => isValidDocumentId(id))
    .sort(([, a], [, b]) => (a?.joinedAt ?? 0) - (b?.joinedAt ?? 0))
    .map(([id]) => id);
}

/** Whether the handle becomes ready within `ms`. */
function readyWithin(handle: DocHandle<HomeDoc>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void handle.whenReady(['ready']).then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** How long a home document that is not stored here may take to arrive before a new one is made. */
const ARRIVAL_WAIT_MS = 30_000;
const log = makeLogger('pinax:home');
