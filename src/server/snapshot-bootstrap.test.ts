// The engine's first-contact bootstrap against the relay as a real child process: the relay's
// snapshot is stored as is, a Repo on that storage opens the document with no network at all, and
// junk, absent documents and documents already stored are left alone.

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Automerge from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openPinaxDb, type PinaxDb } from '../worker/db.ts';
import { RelaySessionState } from '../worker/identity/relay-session.ts';
import { adoptSnapshot, snapshotBootstrap, snapshotUrlFor } from '../worker/network/snapshot-bootstrap.ts';
import { DexieStorageAdapter } from '../worker/storage/dexie-storage-adapter.ts';
import { buildRelay, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';
import { makeStaticFixture, waitFor, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice, createLinkVisible, type DeviceClient } from './testing/device-client.ts';

interface Note {
  title: string;
}

let relay!: SpawnedRelay;
let staticDir: string;
let writer!: DeviceClient;
const dbs: PinaxDb[] = [];

function freshStorage(): { db: PinaxDb; chunks: DexieStorageAdapter } {
  const db = openPinaxDb(`bootstrap-${crypto.randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  dbs.push(db);
  return { db, chunks: new DexieStorageAdapter(db.chunks) };
}

beforeAll(async () => {
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir });
  writer = await connectDevice(relay);
}, 60_000);

afterAll(async () => {
  for (const db of dbs) db.close();
  await writer.repo.shutdown();
  if (relay) expect(await relay.stop()).toBe(0);
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(relay.dataDir, { recursive: true, force: true });
});

describe('snapshotBootstrap', () => {
  it('derives the endpoint from the sync URL', () => {
    expect(snapshotUrlFor('ws://localhost:8080/sync')).toBe('http://localhost:8080/snapshot');
    expect(snapshotUrlFor('wss://pinax.example/sync')).toBe('https://pinax.example/snapshot');
  });

  it('stores the relay snapshot so the document opens offline', async () => {
    // Link-visible, so the bootstrap's request needs no session.
    const handle = await createLinkVisible<Note>(relay, writer, { title: 'from the relay' });
    await waitForRelayToHave(writer.repo, handle);
    const { chunks } = freshStorage();
    let downloads = 0;
    const bootstrap = snapshotBootstrap(chunks, snapshotUrlFor(relay.syncUrl), {
      whileDownloading: () => downloads++,
    });

    const stored = await bootstrap(handle.documentId);
    expect(stored?.bytes.byteLength).toBeGreaterThan(0);
    await stored?.written;
    expect(await chunks.hasAny([handle.documentId])).toBe(true);
    // The wait for the download is used (to warm Automerge up) once per download.
    expect(downloads).toBe(1);
    const offline = new Repo({ storage: chunks, network: [] });
    try {
      const copy = await offline.find<Note>(handle.url);
      expect(copy.doc().title).toBe('from the relay');
    } finally {
      await offline.shutdown();
    }
    // Already stored: never fetched or overwritten again.
    expect(await bootstrap(handle.documentId)).toBeUndefined();
    expect(downloads).toBe(1);
  });

  it('lets a Repo load the snapshot while it is being written, and counts it stored once written', async () => {
    const handle = await createLinkVisible<Note>(relay, writer, { title: 'adopted' });
    await waitForRelayToHave(writer.repo, handle);
    const { chunks } = freshStorage();
    // The write is held until the document has loaded: the load cannot have read it back.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const storage = {
      save: async (key: string[], data: Uint8Array) => {
        await held;
        await chunks.save(key, data);
      },
      hasAny: (prefix: string[]) => chunks.hasAny(prefix),
    };
    const snapshot = await snapshotBootstrap(storage, snapshotUrlFor(relay.syncUrl))(handle.documentId);
    expect(snapshot).toBeDefined();
    const repo = new Repo({ storage: chunks, network: [] });
    try {
      await adoptSnapshot(repo, handle.documentId, snapshot!);
      const found = repo.find<Note>(handle.url);
      let loaded = false;
      void found.then(() => (loaded = true));
      // Loaded from the bytes, but not ready before the write is durable.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(loaded).toBe(false);
      expect(await chunks.hasAny([handle.documentId])).toBe(false);
      release();
      expect((await found).doc().title).toBe('adopted');
      // Stored once, under the bootstrap's key: no second copy written as incremental changes.
      await repo.flush();
      const keys = (await chunks.loadRange([handle.documentId])).map((chunk) => chunk.key.join('/'));
      expect(keys).toEqual([`${handle.documentId}/snapshot/bootstrap`]);
    } finally {
      await repo.shutdown();
    }
  });

  it('saves an adopted snapshot whole when its write failed', async () => {
    const handle = await createLinkVisible<Note>(relay, writer, { title: 'write failed' });
    await waitForRelayToHave(writer.repo, handle);
    const { chunks } = freshStorage();
    const storage = {
      save: () => Promise.reject(new DOMException('Quota exceeded', 'QuotaExceededError')),
      hasAny: (prefix: string[]) => chunks.hasAny(prefix),
    };
    const snapshot = await snapshotBootstrap(storage, snapshotUrlFor(relay.syncUrl))(handle.documentId);
    await expect(snapshot?.written).rejects.toThrow('Quota exceeded');
    const repo = new Repo({ storage: chunks, network: [] });
    try {
      await adoptSnapshot(repo, handle.documentId, snapshot!);
      expect((await repo.find<Note>(handle.url)).doc().title).toBe('write failed');
      for (let tries = 0; !(await chunks.hasAny([handle.documentId])); tries++) {
        if (tries > 200) throw new Error('the adopted document was never saved');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await repo.shutdown();
    }
    // What was saved opens on its own.
    const offline = new Repo({ storage: chunks, network: [] });
    try {
      expect((await offline.find<Note>(handle.url)).doc().title).toBe('write failed');
    } finally {
      await offline.shutdown();
    }
  });

  it('stores nothing for a document the relay does not hold', async () => {
    const { chunks } = freshStorage();
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    expect(await snapshotBootstrap(chunks, snapshotUrlFor(relay.syncUrl))(documentId)).toBeUndefined();
    expect(await chunks.hasAny([documentId])).toBe(false);
  });

  it('asks again once the relay session opens when the first, anonymous request was refused', async () => {
    const session = new RelaySessionState(true);
    const snapshot = Automerge.save(Automerge.from({ title: 'members only' }));
    let requests = 0;
    const { url, close } = await fakeRelay((res) => {
      // The first arrives before the handshake is over: refused, as the relay refuses anonymous
      // devices. The handshake then completes.
      if (++requests === 1) {
        setTimeout(() => session.settled(true), 20);
        res.writeHead(404).end('Not found');
      } else res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(snapshot);
    });
    try {
      const { chunks } = freshStorage();
      const id = parseAutomergeUrl(generateAutomergeUrl()).documentId;
      const stored = await snapshotBootstrap(chunks, url, { session })(id);
      expect(stored?.bytes.byteLength).toBe(snapshot.byteLength);
      await stored?.written;
      expect(requests).toBe(2);
      expect(await chunks.hasAny([id])).toBe(true);
    } finally {
      await close();
    }
  });

  it('takes a refusal as final when the session was open, or when this engine makes none', async () => {
    let requests = 0;
    const { url, close } = await fakeRelay((res) => {
      requests++;
      res.writeHead(404).end('Not found');
    });
    try {
      const open = new RelaySessionState(true);
      open.settled(true);
      const notConnecting = new RelaySessionState(false);
      for (const session of [open, notConnecting]) {
        const { chunks } = freshStorage();
        const id = parseAutomergeUrl(generateAutomergeUrl()).documentId;
        expect(await snapshotBootstrap(chunks, url, { session })(id)).toBeUndefined();
      }
      expect(requests).toBe(2);
    } finally {
      await close();
    }
  });

  it('on a new profile, asks while the storage check is still open, and drops the answer if it finds the document', async () => {
    const snapshot = Automerge.save(Automerge.from({ title: 'early' }));
    let requests = 0;
    let aborted = 0;
    const { url, close } = await fakeRelay((res) => {
      requests++;
      res.on('close', () => void (res.writableFinished || aborted++));
      // Answered late: the device has long finished its storage check by then.
      setTimeout(() => res.writeHead(200).end(snapshot), 300);
    });
    try {
      for (const storedMeanwhile of [false, true]) {
        const { chunks } = freshStorage();
        const id = parseAutomergeUrl(generateAutomergeUrl()).documentId;
        const before = requests;
        let requestsSeenByCheck = -1;
        const storage = {
          save: chunks.save.bind(chunks),
          // The storage check waits for the request to reach the relay, as a new database's first
          // read waits for its creation: it would wait for ever if the request came after it.
          hasAny: async (prefix: string[]) => {
            if (requestsSeenByCheck < 0) {
              await waitFor(() => requests > before, 'the request to reach the relay');
              requestsSeenByCheck = requests - before;
              if (storedMeanwhile) await chunks.save([id, 'incremental', 'x'], snapshot);
            }
            return chunks.hasAny(prefix);
          },
        };
        const bootstrap = snapshotBootstrap(storage, url, { profileWasNew: () => Promise.resolve(true) });
        const stored = await bootstrap(id);
        expect(requestsSeenByCheck).toBe(1);
        if (storedMeanwhile) {
          expect(stored).toBeUndefined();
          await waitFor(() => aborted === 1, 'the download to be aborted');
          expect(await chunks.load([id, 'snapshot', 'bootstrap'])).toBeUndefined();
        } else expect(stored?.bytes.byteLength).toBe(snapshot.byteLength);
      }
      expect(requests).toBe(2);
    } finally {
      await close();
    }
  });

  it('stores nothing when the server sends junk or is unreachable', async () => {
    const junk = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(Buffer.from('definitely not automerge'));
    });
    await new Promise<void>((resolve) => junk.listen(0, '127.0.0.1', resolve));
    const { port } = junk.address() as AddressInfo;
    try {
      const { chunks } = freshStorage();
      const id = parseAutomergeUrl(generateAutomergeUrl()).documentId;
      expect(await snapshotBootstrap(chunks, `http://127.0.0.1:${port}/snapshot`)(id)).toBeUndefined();
      expect(await chunks.hasAny([id])).toBe(false);
    } finally {
      await new Promise<void>((resolve) => junk.close(() => resolve()));
    }
    const { chunks } = freshStorage();
    const id = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    expect(await snapshotBootstrap(chunks, `http://127.0.0.1:${port}/snapshot`)(id)).toBeUndefined();
  });
});

/** A stand-in relay whose POST /snapshot answers as `answer` says. */
async function fakeRelay(
  answer: (res: http.ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/snapshot`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
