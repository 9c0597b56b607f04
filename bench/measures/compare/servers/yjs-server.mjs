// The y-websocket server as @y/websocket-server's own src/server.js sets it up (its `ws`, its
// setupWSConnection, LevelDB persistence via YPERSISTENCE), except that the HTTP handler serves the
// client page (STATIC_DIR) and WebSocket byte counts (/__stats) instead of "okay".
// Env: YPERSISTENCE (data dir), STATIC_DIR. Prints `{ ready, port }` when listening.

import http from 'node:http';
import { createRequire } from 'node:module';
import { setupWSConnection } from '@y/websocket-server/utils';
import { countWire, exitOnSignals, handleHttp, listen, report } from './common.mjs';

// The `ws` that @y/websocket-server itself depends on (it may differ from the project's).
const WebSocket = createRequire(import.meta.resolve('@y/websocket-server/utils'))('ws');

const staticDir = process.env['STATIC_DIR'];
const wss = new WebSocket.Server({ noServer: true });
const server = http.createServer((req, res) => {
  void handleHttp(req, res, staticDir);
});
wss.on('connection', setupWSConnection);
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => {
    countWire(ws);
    wss.emit('connection', ws, request);
  });
});

exitOnSignals(async () => {
  wss.close();
  server.close();
});
const port = await listen(server);
report({ ready: true, port, persistence: process.env['YPERSISTENCE'] ?? null });
