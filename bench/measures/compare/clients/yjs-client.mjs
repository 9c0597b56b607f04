// Browser client for "yjs": one Y.Doc synced by y-websocket and persisted by y-indexeddb. Done when
// the doc holds every item AND y-indexeddb has written it: y-indexeddb exposes no promise for its
// writes (it stores each update with a fire-and-forget readwrite transaction on its "updates"
// store, created synchronously in the doc's "update" handler), so after `whenSynced` and all items
// present, an empty readwrite transaction on the same store and connection is committed: IndexedDB
// runs readwrite transactions with overlapping scope in creation order, so it completes only after
// every earlier write. Query: ?room=<name>&n=<items>. Times: ms since navigation start.

import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

const state = { progress: { items: 0 } };
window.__compare = state;

async function main() {
  const params = new URLSearchParams(location.search);
  const room = params.get('room');
  const expected = Number(params.get('n'));
  const marks = { scriptMs: performance.now() };

  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(room, doc);
  const provider = new WebsocketProvider(`ws://${location.host}`, room, doc);
  const items = doc.getMap('items');
  const allItems = new Promise((resolve) => {
    const check = () => {
      state.progress.items = items.size;
      if (items.size >= expected) {
        items.unobserve(check);
        resolve(performance.now());
      }
    };
    items.observe(check);
    check();
  });
  await persistence.whenSynced;
  marks.idbSyncedMs = performance.now();
  marks.allItemsMs = await allItems;
  await new Promise((resolve, reject) => {
    const tx = persistence.db.transaction(['updates'], 'readwrite');
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('barrier transaction aborted'));
  });
  marks.doneMs = performance.now();
  provider.destroy();

  // Not timed: rebuild a doc from what y-indexeddb stored and count its items.
  const updates = await new Promise((resolve, reject) => {
    const tx = persistence.db.transaction(['updates'], 'readonly');
    const request = tx.objectStore('updates').getAll();
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
  });
  const check = new Y.Doc();
  for (const update of updates) Y.applyUpdate(check, update);
  const storedItems = check.getMap('items');
  const sample = storedItems.get('item-0');
  const estimate = await navigator.storage.estimate();
  return {
    ...marks,
    storedItems: storedItems.size,
    verified: storedItems.size === expected && typeof sample?.get?.('title') === 'string',
    storedRecords: updates.length,
    storedBytes: updates.reduce((sum, u) => sum + u.byteLength, 0),
    storageUsageBytes: estimate.usage ?? null,
  };
}

main().then(
  (result) => {
    state.result = result;
  },
  (error) => {
    state.error = String(error?.stack ?? error);
  },
);
