// Browser client for the no-CRDT "floor": open a Dexie database, receive every item as one JSON
// message over a WebSocket, parse it, bulkPut the rows in one read-write transaction. Done when
// that transaction has committed (the promise of db.transaction() resolves after commit).
// Query: ?n=<items>. Times: ms since navigation start.

import Dexie from 'dexie';

const state = { progress: {} };
window.__compare = state;

async function main() {
  const params = new URLSearchParams(location.search);
  const expected = Number(params.get('n'));
  const marks = { scriptMs: performance.now() };

  const db = new Dexie('floor');
  db.version(1).stores({ items: 'id' });
  const opened = db.open();
  const text = await new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/`);
    ws.onmessage = (event) => {
      resolve(event.data);
      ws.close();
    };
    ws.onerror = () => reject(new Error('WebSocket error'));
  });
  marks.messageMs = performance.now();
  const rows = JSON.parse(text);
  marks.parsedMs = performance.now();
  await opened;
  await db.transaction('rw', db.items, () => db.items.bulkPut(rows));
  marks.doneMs = performance.now();

  // Not timed: what is stored.
  const stored = await db.items.toArray();
  const encoder = new TextEncoder();
  const estimate = await navigator.storage.estimate();
  db.close();
  return {
    ...marks,
    messageBytes: encoder.encode(text).byteLength,
    storedItems: stored.length,
    verified: stored.length === expected && typeof stored[0]?.title === 'string',
    storedRecords: stored.length,
    storedBytes: stored.reduce((sum, row) => sum + encoder.encode(JSON.stringify(row)).byteLength, 0),
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
