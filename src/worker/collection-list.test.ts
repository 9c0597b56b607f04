// The joined-collections list is live without Dexie's liveQuery (db.ts switches its middlewares
// off): a subscriber sees rows written by its own engine and by another engine of the same profile,
// as in the BroadcastChannel fallback, where every tab runs one over the same IndexedDB.

import * as Automerge from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../shared/testing/cleanups.ts';
import { waitFor } from '../server/testing/clients.ts';
import type { CollectionSummary } from '../shared/types.ts';
import { CollectionStore } from './collection-store.ts';
import { openPinaxDb } from './db.ts';
import { useConflictReader } from './domain/collection-doc.ts';

const cleanups = cleanupsAfterEach();

describe('the joined-collections list', () => {
  it('reaches subscribers of this engine and of another engine of the same profile', async () => {
    useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
    const profile = { name: `list-${crypto.randomUUID()}`, indexedDB: new IDBFactory() };
    const [here, there] = [engine(profile), engine(profile)];
    const seenHere = record(here);
    const seenThere = record(there);
    await waitFor(() => seenHere.length > 0 && seenThere.length > 0, 'the first lists');
    expect(seenThere.at(-1)).toEqual([]);

    const created = await here.create('Field notes', '', 'did:key:z6MkTestAuthor');
    const named = (lists: CollectionSummary[][]) => lists.at(-1)?.map((row) => row.name);
    await waitFor(() => named(seenHere)?.[0] === 'Field notes', 'the row in this engine');
    await waitFor(() => named(seenThere)?.[0] === 'Field notes', 'the row in the other engine');

    await here.forget(created.id);
    await waitFor(() => named(seenThere)?.length === 0, 'the removal in the other engine');
    expect(named(seenHere)).toEqual([]);
  });
});

function engine(profile: { name: string; indexedDB: IDBFactory }): CollectionStore {
  const db = openPinaxDb(profile.name, { indexedDB: profile.indexedDB, IDBKeyRange });
  const repo = new Repo({ network: [] });
  cleanups.push(
    () => db.close(),
    () => repo.shutdown(),
  );
  return new CollectionStore(db, Promise.resolve(repo));
}

function record(store: CollectionStore): CollectionSummary[][] {
  const lists: CollectionSummary[][] = [];
  cleanups.push(store.subscribeList((rows) => lists.push(rows)));
  return lists;
}
