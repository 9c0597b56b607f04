// The no-CRDT floor: a plain `ws` server that sends every item as one JSON message to each client
// that connects. The JSON is built before the server reports ready (a server holding its data).
// Env: ITEMS, SEED, STATIC_DIR. Prints `{ ready, port, jsonBytes }` when listening.

import http from 'node:http';
import { WebSocketServer } from 'ws';
import { makeItem } from '../../../lib/data.mjs';
import { countWire, exitOnSignals, handleHttp, listen, report } from './common.mjs';

const count = Number(process.env['ITEMS'] ?? 10000);
const seed = Number(process.env['SEED'] ?? 1);
const staticDir = process.env['STATIC_DIR'];

const rows = Array.from({ length: count }, (_, i) => ({ id: `item-${i}`, ...makeItem(i, seed) }));
const json = JSON.stringify(rows);

const server = http.createServer((req, res) => {
  void handleHttp(req, res, staticDir);
});
const wss = new WebSocketServer({ server });
wss.on('connection', (socket) => {
  countWire(socket);
  socket.send(json);
});

exitOnSignals(async () => {
  wss.close();
  server.close();
});
const port = await listen(server);
report({ ready: true, port, jsonBytes: Buffer.byteLength(json) });
