// The relay: one HTTP server that serves the built app, answers /healthz, and upgrades /sync to an
// automerge-repo WebSocket peer backed by files on disk. The relay never announces documents: a
// client gets a document only by asking for its id (or by having sent it to the relay itself).

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { parseAutomergeUrl, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { SyncStateCoalescingAdapter } from '../shared/sync-state-coalescing.ts';
import { WebSocketServer } from 'ws';
import { makeLogger, type Logger } from '../shared/log.ts';
import { compactWhenIdle } from '../shared/idle-compaction.ts';
import type { RelayConfig } from './config.ts';
import { createConnectionGuard } from './connection-guard.ts';
import { createAuth, isThrough, type Identity } from './auth.ts';
import { RevocationList, createRevokeRoute } from './revocations.ts';
import { AccessRegistry } from './access-registry.ts';
import { createAccessGuard, type AccessGuard } from './access-guard.ts';
import { createAccessRoutes } from './access-routes.ts';
import { createPairingRoutes } from './pairing.ts';
import { DIRECTORY_PATH, ensureDirectory } from './directory.ts';
import { evictIdleDocuments } from './eviction.ts';
import { GuardedWebSocketServerAdapter } from './guarded-adapter.ts';
import {
  METRICS_PATH,
  OPENMETRICS_CONTENT_TYPE,
  TrafficCounters,
  cachedDirectorySize,
  renderMetrics,
} from './metrics.ts';
import { createSnapshotHandler, SNAPSHOT_PATH } from './snapshot.ts';
import { createStaticHandler, sendText } from './static.ts';
import { splitLoadedDocuments } from './split-loaded.ts';

export const SYNC_PATH = '/sync';
export const HEALTH_PATH = '/healthz';

export interface RelayStats {
  ok: true;
  uptimeSeconds: number;
  /** automerge-repo peers that have joined. */
  peers: number;
  /** Open WebSocket connections, joined or not. */
  connections: number;
  /** Frames dropped: malformed (see GuardedWebSocketServerAdapter) or refused by ws (too big). */
  rejectedFrames: number;
  /** Sockets closed for junk (1003). */
  closedForJunk: number;
  /** Socket-level errors, e.g. frames over the size limit (closed with 1009). */
  socketErrors: number;
}

export interface Relay {
  /** http://host:port, with the real port when the config asked for 0. */
  url: string;
  port: number;
  stats(): RelayStats;
  /** Stops accepting, closes sockets, flushes documents to disk, closes the server. Idempotent. */
  close(): Promise<void>;
}

export interface RelayOptions {
  log?: Logger;
  /** How long close() lets clients acknowledge the close frame before cutting them off. */
  closeGraceMs?: number;
}

export async function startRelay(config: RelayConfig, options: RelayOptions = {}): Promise<Relay> {
  const log = options.log ?? makeLogger('pinax:relay');
  const startedAt = Date.now();
  let socketErrors = 0;
  let shuttingDown = false;

  await ensureDir(config.dataDir);
  if (!fs.existsSync(config.staticDir))
    log.warn(`static dir ${config.staticDir} does not exist: only ${HEALTH_PATH} and ${SYNC_PATH} will work`);

  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes });
  // An unhandled 'error' event would throw and take the whole relay down.
  wss.on('error', (err) => log.error('sync: WebSocket server error', err));

  const traffic = new TrafficCounters();
  const connectionGuard = createConnectionGuard(traffic, config.maxMessagesPerSecond, log);
  const revocations = await RevocationList.open(config.dataDir, log);
  const auth = createAuth({ log, isRevoked: revocations.isRevoked });
  const identities = new WeakMap<object, Identity>();
  const registry = await AccessRegistry.open(config.dataDir, log);
  // Bound once the repo exists; no sync message arrives before that.
  const guard: { current?: AccessGuard } = {};
  const adapter = new GuardedWebSocketServerAdapter(wss, {
    log,
    identityOf: (socket) => identities.get(socket),
    filterSync: (identity, documentId, data) =>
      guard.current ? guard.current.filterSync(identity, documentId, data) : Promise.resolve(data),
  });
  wss.on('connection', (socket) => {
    connectionGuard.watch(socket);
    socket.on('error', (err: Error & { code?: string }) => {
      socketErrors++;
      adapter.rejectedFrames++; // ws errors are all about one bad frame (too big, bad opcode, bad UTF-8)
      // ws closes the socket itself (1009 for an oversized frame, 1002/1007 for protocol errors).
      log.warn(`sync: socket error, closing it: ${err.code ?? ''} ${err.message}`);
    });
  });
  const storage = new SyncStateCoalescingAdapter(new NodeFSStorageAdapter(config.dataDir));
  const repo = new Repo({
    network: [adapter],
    storage,
    // Not `sharePolicy: false`: 2.5.6 tests `if (sharePolicy)` and falls back to sharing everything.
    // announce=false: never push documents to peers; access: serve any document asked for by id,
    // except a members-only collection's documents to non-members.
    shareConfig: {
      announce: () => Promise.resolve(false),
      access: (peerId, documentId) =>
        guard.current
          ? guard.current.mayRead(adapter.identityOfPeer(peerId), documentId)
          : Promise.resolve(true),
    },
  });
  // The directory, once it is known: anonymous peers may read it (and write nothing).
  const publicDocuments = new Set<string>();
  guard.current = createAccessGuard(repo, registry, log, { isPublic: (id) => publicDocuments.has(id) });
  const accessRoutes = createAccessRoutes(repo, registry, (req) => auth.identityOf(req), log);
  const pairingRoutes = createPairingRoutes({ log, identityOf: (req) => auth.identityOf(req) });
  const revokeRoute = createRevokeRoute(
    revocations,
    (user, device) => {
      auth.endSessions(user, device);
      for (const socket of wss.clients) {
        const identity = identities.get(socket);
        if (identity?.kind === 'device' && identity.user === user && isThrough(identity, device))
          socket.close(1008, 'device revoked');
      }
    },
    log,
  );
  // Saving a whole document on the sync path (upstream's compaction) would stall every peer.
  const compaction = compactWhenIdle(repo);
  const stopSplitting = splitLoadedDocuments(repo, log);
  // Fails here, with the reason, when the data dir is not writable (the id is stored on first run).
  await repo.storageId();
  // The network subsystem connects the adapter only after the storage id is loaded; sockets that
  // arrive before that would never be heard by the adapter.
  await adapter.whenConnected();
  const storageBytes = cachedDirectorySize(config.dataDir);
  const directoryUrl = await ensureDirectory(repo, config.dataDir, log);
  const directoryId = parseAutomergeUrl(directoryUrl).documentId;
  publicDocuments.add(directoryId);
  const eviction =
    config.evictIdleMs > 0
      ? evictIdleDocuments(repo, {
          idleMs: config.evictIdleMs,
          pinned: (id) => id === directoryId,
          settle: (id) => compaction.settle(id),
          log,
        })
      : undefined;

  const stats = (): RelayStats => ({
    ok: true,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    peers: repo.peers.length,
    connections: wss.clients.size,
    rejectedFrames: adapter.rejectedFrames,
    closedForJunk: adapter.closedForJunk,
    socketErrors,
  });

  const serveStatic = createStaticHandler(config.staticDir, log);
  const serveSnapshot = createSnapshotHandler(
    repo,
    log,
    (req, documentId) =>
      guard.current ? guard.current.mayRead(auth.identityOf(req), documentId) : Promise.resolve(true),
    storage,
  );
  const server = http.createServer((req, res) => {
    const handle = async (): Promise<void> => {
      if (await auth.handle(req, res)) return;
      if (await revokeRoute(req, res)) return;
      if (await accessRoutes(req, res)) return;
      if (await pairingRoutes(req, res)) return;
      if (pathOf(req.url) === SNAPSHOT_PATH) return serveSnapshot(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return sendText(res, 405, 'Method not allowed');
      }
      if (pathOf(req.url) === METRICS_PATH) {
        const body = await renderMetrics({
          peers: () => repo.peers.length,
          connections: () => wss.clients.size,
          documentsInMemory: () => Object.keys(repo.handles).length,
          traffic,
          rejectedFrames: () => adapter.rejectedFrames,
          closedForJunk: () => adapter.closedForJunk,
          closedForRate: () => connectionGuard.closedForRate(),
          authenticatedConnections: () =>
            [...wss.clients].filter((ws) => identities.get(ws)?.kind === 'device').length,
          sessionsOpened: () => auth.stats.sessions,
          handshakesRefused: () => auth.stats.refused,
          closedForIdentity: () => adapter.refusedIdentity,
          refusedChanges: () => guard.current?.refusedChanges ?? 0,
          storageBytes,
        });
        res.writeHead(200, {
          'Content-Type': OPENMETRICS_CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(body),
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (pathOf(req.url) === DIRECTORY_PATH) {
        const body = JSON.stringify({ url: directoryUrl });
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          'Cache-Control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      if (pathOf(req.url) === HEALTH_PATH) {
        const body = JSON.stringify(stats());
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': Buffer.byteLength(body),
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      await serveStatic(req, res);
    };
    handle().catch((err: unknown) => {
      log.error('http: request failed', req.method, req.url, err);
      if (!res.headersSent) sendText(res, 500, 'Internal server error');
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log.debug('http: upgrade socket error', err));
    if (shuttingDown) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (pathOf(req.url) !== SYNC_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    const check = auth.checkUpgrade(req);
    if (!check.ok) {
      log.warn(`sync: refused a connection: ${check.reason}`);
      return refuseUpgrade(socket, check.status, check.status === 403 ? 'Forbidden' : 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      identities.set(ws, check.identity);
      wss.emit('connection', ws, req);
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    wss.close(); // stops the adapter's keep-alive timer
    throw err;
  }
  server.on('error', (err) => log.error('http: server error', err));
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      shuttingDown = true;
      eviction?.stop();
      stopSplitting();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await closeSockets(wss, options.closeGraceMs ?? 1000);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Let sync messages already taken off the wire finish applying before the final save.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await flushReady(repo, log);
      await storage.flush();
      server.closeAllConnections();
      await serverClosed;
    })());

  return { url: `http://${host}:${port}`, port, stats, close };
}

/** repo.flush() throws "DocHandle is not ready" if any handle is unavailable (someone asked for an
 * id nobody has), so only ready documents are flushed. */
async function flushReady(repo: Repo, log: Logger): Promise<void> {
  const ready = Object.values(repo.handles)
    .filter((handle) => handle.isReady())
    .map((handle) => handle.documentId);
  const results = await Promise.allSettled(ready.map((id) => repo.flush([id])));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0)
    log.error(`flush: ${failed.length} of ${ready.length} documents failed to save`, failed);
  else log.debug(`flush: ${ready.length} documents saved`);
}

async function closeSockets(wss: WebSocketServer, graceMs: number): Promise<void> {
  const sockets = [...wss.clients];
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, graceMs);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(1001, 'relay shutting down');
        }),
    ),
  );
}

/** mkdir -p without `recursive: true`, which loops forever in Node 20 on paths like /proc/x. */
async function ensureDir(dir: string, depth = 0): Promise<void> {
  try {
    await fs.promises.mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await fs.promises.stat(dir)).isDirectory())
        throw new Error(`${dir} is not a directory`, { cause: err });
      return;
    }
    if (code !== 'ENOENT' || depth > 64 || path.dirname(dir) === dir) throw err;
    await ensureDir(path.dirname(dir), depth + 1);
    await fs.promises.mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again; // someone else just made it: fine
    });
  }
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const cut = raw.search(/[?#]/);
  return cut === -1 ? raw : raw.slice(0, cut);
}
