// Seeds the y-websocket server from a Node client (not timed): one Y.Doc whose Y.Map "items" holds
// a nested Y.Map per item (title and body strings, tags a plain array), written in one transaction.
// A second, fresh doc then syncs from the server until it sees every item. The process then STAYS
// CONNECTED (prints `{ ready }` and waits to be killed): the y-websocket server drops a persisted
// doc from memory when its last connection closes, and the automerge server keeps its documents in
// memory after seeding, so this keeps both servers equally warm.
// Env: SERVER (http://127.0.0.1:port), ROOM, ITEMS, SEED.

import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { makeItem } from '../../../lib/data.mjs';

const server = process.env['SERVER'].replace(/^http/, 'ws');
const room = process.env['ROOM'];
const count = Number(process.env['ITEMS'] ?? 10000);
const seed = Number(process.env['SEED'] ?? 1);
const report = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

function connect(doc) {
  const provider = new WebsocketProvider(server, room, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
  });
  const synced = new Promise((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', () => resolve());
  });
  return { provider, synced };
}

function whenCount(map, n) {
  return new Promise((resolve) => {
    const check = () => {
      if (map.size >= n) {
        map.unobserve(check);
        resolve();
      }
    };
    map.observe(check);
    check();
  });
}

try {
  const started = performance.now();
  const doc = new Y.Doc();
  const writer = connect(doc);
  await writer.synced;
  const items = doc.getMap('items');
  doc.transact(() => {
    for (let i = 0; i < count; i++) {
      const { title, body, tags } = makeItem(i, seed);
      const item = new Y.Map();
      items.set(`item-${i}`, item);
      item.set('title', title);
      item.set('body', body);
      item.set('tags', tags);
    }
  });
  const check = new Y.Doc();
  const reader = connect(check);
  await reader.synced;
  await whenCount(check.getMap('items'), count);
  reader.provider.destroy();
  check.destroy();
  report({
    ready: true,
    syncedMs: performance.now() - started,
    updateBytes: Y.encodeStateAsUpdate(doc).byteLength,
  });
  const stop = () => {
    writer.provider.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  report({ error: String(error?.stack ?? error) });
  process.exit(1);
}
