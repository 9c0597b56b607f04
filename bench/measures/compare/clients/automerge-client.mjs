// Browser client for "automergePerItem": the stock automerge-repo in a page, with the stock
// IndexedDB storage adapter and the WebSocket client adapter. Finds the index document, then every
// item document with at most 32 finds in flight; done when every item document is ready and
// repo.flush() has resolved. Query: ?index=<automerge url>&n=<items>.
// Times are performance.now(): ms since this page's navigation started.

import { initializeWasm, Repo } from '@automerge/automerge-repo/slim';
import { BrowserWebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';

const IN_FLIGHT = 32;
const state = { progress: { ready: 0 } };
window.__compare = state;

async function main() {
  const params = new URLSearchParams(location.search);
  const indexUrl = params.get('index');
  const expected = Number(params.get('n'));
  const marks = { scriptMs: performance.now() };

  await initializeWasm(fetch('/automerge.wasm'));
  marks.wasmMs = performance.now();
  const repo = new Repo({
    network: [new BrowserWebSocketClientAdapter(`ws://${location.host}/`)],
    storage: new IndexedDBStorageAdapter(),
  });
  // Connection trouble is counted, not hidden: a find that fails because its peer went away
  // (the stock server drops a socket that misses its 5 s keep-alive, e.g. under load) waits for the
  // handle to become ready after the adapter reconnects (up to 3 x 60 s), and is counted.
  const events = { peerConnects: 0, peerDisconnects: 0, unavailable: 0, recovered: 0 };
  repo.networkSubsystem.on('peer', () => events.peerConnects++);
  repo.networkSubsystem.on('peer-disconnected', () => events.peerDisconnects++);
  state.progress.events = events;
  const findReady = async (url) => {
    try {
      return await repo.find(url);
    } catch (error) {
      if (!/unavailable/i.test(String(error?.message))) throw error;
      events.unavailable++;
      const handle = repo.handles[url.replace(/^automerge:/, '')];
      for (let attempt = 0; handle && attempt < 3; attempt++) {
        try {
          await handle.whenReady(['ready']);
          events.recovered++;
          return handle;
        } catch {
          // the handle's own 60 s timeout; try again
        }
      }
      throw error;
    }
  };

  const index = await findReady(indexUrl);
  const urls = index.doc().items;
  marks.indexMs = performance.now();
  if (urls.length !== expected) throw new Error(`the index lists ${urls.length} items, expected ${expected}`);

  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      const handle = await findReady(url);
      if (typeof handle.doc()?.title !== 'string') throw new Error(`item ${url} has no title`);
      state.progress.ready++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  marks.allReadyMs = performance.now();
  await repo.flush();
  marks.doneMs = performance.now();

  // Not timed: what is stored.
  const stored = await readStore('automerge', 'documents');
  // Keys are [documentId, 'snapshot' | 'incremental' | 'sync-state', ...] and ['storage-adapter-id'].
  const docsWithData = new Set(
    stored.filter((r) => r.key[1] === 'snapshot' || r.key[1] === 'incremental').map((r) => r.key[0]),
  );
  const estimate = await navigator.storage.estimate();
  return {
    ...marks,
    ...events,
    storedDocuments: docsWithData.size,
    verified: docsWithData.size === expected + 1,
    storedRecords: stored.length,
    storedBytes: stored.reduce((sum, r) => sum + (r.value?.binary?.byteLength ?? 0), 0),
    storageUsageBytes: estimate.usage ?? null,
    stockRepo: typeof repo.storageSubsystem?.compactNow === 'undefined',
  };
}

/** Every key and value of one object store, through a connection of its own. */
function readStore(dbName, storeName) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(storeName, 'readonly');
      const store = tx.objectStore(storeName);
      const keys = store.getAllKeys();
      const values = store.getAll();
      tx.oncomplete = () => {
        db.close();
        resolve(keys.result.map((key, i) => ({ key, value: values.result[i] })));
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

main().then(
  (result) => {
    state.result = result;
  },
  (error) => {
    state.error = String(error?.stack ?? error);
  },
);
