// Start-up chores wait for the collections a person is waiting to see: CollectionStore.loadsSettled
// resolves only once a collection's load and its read models' derivation are done, and the home
// document is neither found nor created before the engine says it is idle.

import * as Automerge from '@automerge/automerge';
import { Repo, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../shared/testing/cleanups.ts';
import type { CollectionId } from '../shared/types.ts';
import { CollectionStore } from './collection-store.ts';
import { openPinaxDb, type PinaxDb } from './db.ts';
import type { CollectionDoc } from './domain/collection-doc.ts';
import { initialCollection, insertItem, useConflictReader } from './domain/collection-doc.ts';
import { Home } from './home.ts';
import { ReadModels } from './read-models/read-models.ts';
import { DexieStorageAdapter } from './storage/dexie-storage-adapter.ts';

beforeAll(() => {
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
});

const cleanups = cleanupsAfterEach();

describe('CollectionStore.loadsSettled', () => {
  it('resolves at once when nothing is loading', async () => {
    const { store } = await engine(freshDb());
    expect(await settlesWithin(store, 1_000)).toBe(true);
  });

  it('waits for a load and for the read models derived from it', async () => {
    const db = freshDb();
    const id = await storedCollection(db, 300);
    const { store, readModels } = await engine(db);

    const loading = store.get(id);
    let settled = false;
    const settling = store.loadsSettled(60_000).then(() => (settled = true));
    const live = await loading;
    expect(live?.items).toHaveLength(300);
    await settling;
    expect(settled).toBe(true);
    // By then the catalog is complete, which only the derivation after the load writes.
    expect(await readModels.collectionRows(id)).toHaveLength(300);
  });

  it('gives up waiting after the longest wait it was given', async () => {
    // Automerge never becomes ready here, so this load never ends.
    const store = new CollectionStore(freshDb(), new Promise<Repo>(() => undefined));
    let loaded = false;
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    void store.get(documentId as string as CollectionId).then(() => (loaded = true));
    await store.loadsSettled(50);
    expect(loaded).toBe(false);
    expect(await settlesWithin(store, 200)).toBe(false);
  });
});

describe('Home', () => {
  it('opens the home document only once the engine is idle', async () => {
    const db = freshDb();
    const repo = await storedRepo(db);
    cleanups.push(() => repo.shutdown());
    let idle!: () => void;
    const whenIdle = new Promise<void>((resolve) => (idle = resolve));
    const home = new Home(Promise.resolve(repo), db, undefined, () => whenIdle);

    const joining = home.join('some-collection');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(Object.keys(repo.handles)).toHaveLength(0);
    expect(await db.meta.get('home')).toBeUndefined();

    idle();
    const homeId = await joining;
    expect((await db.meta.get('home'))?.value).toBe(homeId);
    expect(Object.keys((await home.current()).collections)).toEqual(['some-collection']);
  });
});

function freshDb(): PinaxDb {
  const db = openPinaxDb(`settled-${crypto.randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => db.close());
  return db;
}

async function engine(db: PinaxDb): Promise<{ store: CollectionStore; readModels: ReadModels }> {
  const repo = await storedRepo(db);
  cleanups.push(() => repo.shutdown());
  const readModels = new ReadModels(db);
  cleanups.push(() => readModels.flush());
  return { store: new CollectionStore(db, Promise.resolve(repo), { readModels }), readModels };
}

/** A collection of `count` items saved in `db` by a repo that is gone again: loading it is real work. */
async function storedCollection(db: PinaxDb, count: number): Promise<CollectionId> {
  const repo = await storedRepo(db);
  const handle = repo.create<CollectionDoc>(initialCollection('Stored', '', 1));
  handle.change((doc) => {
    for (let i = 0; i < count; i++)
      insertItem(doc, `item-${i}`, { title: `Item ${i}`, body: `Body of item ${i}`, tags: ['t'] }, 2);
  });
  await repo.flush();
  await repo.shutdown();
  return handle.documentId as string as CollectionId;
}

/** A repo on `db`, once it has read its storage id (which it does on its own, and must finish). */
async function storedRepo(db: PinaxDb): Promise<Repo> {
  const repo = new Repo({ network: [], storage: new DexieStorageAdapter(db.chunks) });
  await repo.storageId();
  return repo;
}

/** Whether loadsSettled resolves within `ms` (it gets a much longer maximum wait of its own). */
async function settlesWithin(store: CollectionStore, ms: number): Promise<boolean> {
  return Promise.race([
    store.loadsSettled(60_000).then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms)),
  ]);
}
