// The stock automerge-repo sync server, as its README sets it up: a Repo with the WebSocket server
// adapter and the NodeFS storage adapter. Around it, only plumbing for the benchmark: the same
// HTTP server serves the client page (STATIC_DIR), counts WebSocket bytes (/__stats), and flushes
// the repo to disk on request (/__flush), so seeding has finished writing before a timed run.
// Env: DATA_DIR, STATIC_DIR. Prints `{ ready, port, stockRepo }` when listening.

import http from 'node:http';
import { Repo } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { WebSocketServer } from 'ws';
import { countWire, exitOnSignals, handleHttp, listen, report } from './common.mjs';

const dataDir = process.env['DATA_DIR'];
const staticDir = process.env['STATIC_DIR'];
if (!dataDir) throw new Error('DATA_DIR is required');

let repo = null;
const server = http.createServer((req, res) => {
  void handleHttp(req, res, staticDir, {
    '/__flush': async () => {
      const started = performance.now();
      await repo.flush();
      return { flushedMs: performance.now() - started };
    },
  });
});
const wss = new WebSocketServer({ server });
// Registered before the adapter's own listener, so every byte it sends is counted.
wss.on('connection', (socket) => countWire(socket));

repo = new Repo({
  network: [new WebSocketServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dataDir),
});

// Stock automerge-repo 2.5.6 can leave a rejection unhandled: DocSynchronizer.beginSync awaits
// DocHandle.whenReady(), which rejects after 60 s, from a `void` call. Node would end the process;
// the server survives it and counts it (/__stats) so a run can tell.
exitOnSignals(
  async () => {
    wss.close();
    server.close();
  },
  { surviveRejections: true },
);
const port = await listen(server);
report({
  ready: true,
  port,
  // The project's patch adds StorageSubsystem.compactNow; stock automerge-repo has none.
  stockRepo: typeof repo.storageSubsystem?.compactNow === 'undefined',
});
