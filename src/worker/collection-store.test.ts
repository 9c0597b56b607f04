// The collection store against a real relay process: a collection opened while nobody could be
// asked is unavailable, and when its document arrives later by sync (the relay connection came
// back) it loads on its own and its subscribers are told, without waiting for another reconnect.

import fs from 'node:fs';
import * as Automerge from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelay, spawnRelay, type SpawnedRelay } from '../server/testing/spawn-relay.ts';
import { makeStaticFixture, waitFor, waitForRelayToHave } from '../server/testing/clients.ts';
import { connectDevice, createLinkVisible, type DeviceClient } from '../server/testing/device-client.ts';
import { authored } from '../shared/access/authored.ts';
import type { CollectionId } from '../shared/types.ts';
import { CollectionStore } from './collection-store.ts';
import { openPinaxDb, type PinaxDb } from './db.ts';
import { initialCollection, insertItem, useConflictReader } from './domain/collection-doc.ts';

let relay!: SpawnedRelay;
let staticDir: string;
let writer!: DeviceClient;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir });
  writer = await connectDevice(relay);
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await writer.repo.shutdown();
  if (relay) expect(await relay.stop()).toBe(0);
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(relay.dataDir, { recursive: true, force: true });
});

describe('CollectionStore', () => {
  it('loads an unavailable collection once its document arrives by sync, and tells subscribers', async () => {
    // Link-visible: the device below connects without a session, and may still read it.
    const source = await createLinkVisible(relay, writer, initialCollection('Arrives late', '', 1));
    source.change(
      (doc) => insertItem(doc, 'item-1', { title: 'Hello', body: '', tags: [] }, 2),
      authored(writer.device.user.did),
    );
    await waitForRelayToHave(writer.repo, source);
    const id = source.documentId as string as CollectionId;

    // A device with no connection yet: nobody can be asked, so the collection is unavailable.
    const db: PinaxDb = openPinaxDb(`store-${crypto.randomUUID()}`, {
      indexedDB: new IDBFactory(),
      IDBKeyRange,
    });
    const repo = new Repo({ network: [], sharePolicy: () => Promise.resolve(true) });
    cleanups.push(
      () => db.close(),
      () => repo.shutdown(),
    );
    const store = new CollectionStore(db, Promise.resolve(repo), { connected: () => false });
    const retried: CollectionId[] = [];
    cleanups.push(store.onRetried((retriedId) => retried.push(retriedId)));

    expect(await store.get(id)).toBeUndefined();
    expect(await store.currentState(id)).toMatchObject({
      status: 'unavailable',
      reason: 'Waiting for connection…',
    });

    // The connection comes back; nothing calls retryUnavailable. The document still opens.
    repo.networkSubsystem.addNetworkAdapter(new WebSocketClientAdapter(relay.syncUrl, 500));
    await waitFor(() => retried.includes(id), 'the collection to be retried after it arrived');
    const state = await store.currentState(id);
    expect(state.status).toBe('ready');
    if (state.status !== 'ready') return;
    expect(state.collection.name).toBe('Arrives late');
    expect(state.items.map((item) => item.title)).toEqual(['Hello']);
  }, 30_000);
});
