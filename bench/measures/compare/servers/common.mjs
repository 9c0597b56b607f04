// Shared by the comparison server processes: serving the client bundle (the page, its script and
// automerge's wasm) from the same origin as the WebSocket, counting the bytes a server sends over
// its WebSockets, and the stdout protocol with the parent (one JSON line `{ ready: true, ... }`).

import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** WebSocket bytes, messages, connections opened and closed since the last reset. */
export const wire = {
  sentBytes: 0,
  sentMessages: 0,
  receivedBytes: 0,
  receivedMessages: 0,
  connections: 0,
  closed: 0,
};

/** Unhandled rejections a server chose to survive (see exitOnSignals), never reset. */
export const health = { unhandledRejections: 0, lastRejection: null };

function byteLength(data) {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + byteLength(part), 0);
  return data?.byteLength ?? 0;
}

/** Counts what goes through `socket` (a `ws` WebSocket); call before anyone else uses it. */
export function countWire(socket) {
  wire.connections++;
  const send = socket.send.bind(socket);
  socket.send = (data, ...rest) => {
    wire.sentBytes += byteLength(data);
    wire.sentMessages++;
    return send(data, ...rest);
  };
  socket.on('close', () => wire.closed++);
  socket.on('message', (data) => {
    wire.receivedBytes += byteLength(data);
    wire.receivedMessages++;
  });
}

/**
 * Handles GET /__stats (?reset=1 zeroes the counters), `extra` control routes (path -> async
 * function returning JSON) and static files from `staticDir`. Returns false if nothing matched.
 */
export async function handleHttp(req, res, staticDir, extra = {}) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (url.pathname === '/__stats') {
      const body = { ...wire, ...health };
      if (url.searchParams.get('reset') === '1') for (const key of Object.keys(wire)) wire[key] = 0;
      return sendJson(res, 200, body);
    }
    const route = extra[url.pathname];
    if (route) return sendJson(res, 200, await route(url));
    if (staticDir) {
      const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
      const file = path.join(staticDir, path.normalize(name).replace(/^(\.\.[/\\])+/, ''));
      if (file.startsWith(staticDir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, {
          'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'no-store',
        });
        fs.createReadStream(file).pipe(res);
        return true;
      }
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
    return false;
  } catch (error) {
    return sendJson(res, 500, { error: String(error?.stack ?? error) });
  }
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

/** Listens on a free port of 127.0.0.1 and resolves with the port. */
export function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** One JSON line to the parent. */
export function report(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * Exits on SIGTERM/SIGINT after `cleanup` (bounded). Uncaught exceptions are reported and end the
 * process; unhandled rejections too, unless `surviveRejections`, which counts them (in /__stats)
 * and logs them to stderr instead.
 */
export function exitOnSignals(cleanup = async () => undefined, { surviveRejections = false } = {}) {
  const stop = () => {
    const timer = setTimeout(() => process.exit(0), 3000);
    timer.unref();
    void Promise.resolve()
      .then(cleanup)
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('uncaughtException', (error) => {
    report({ error: String(error?.stack ?? error) });
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    if (surviveRejections) {
      health.unhandledRejections++;
      health.lastRejection = String(error?.message ?? error).slice(0, 300);
      console.error(`unhandled rejection (survived): ${String(error?.stack ?? error)}`);
      return;
    }
    report({ error: String(error?.stack ?? error) });
    process.exit(1);
  });
}
