// Serves the built app (vite's dist/) with the cache rules the PWA needs: the HTML shell, the
// service worker and the manifest are always revalidated; hashed /assets/* are immutable. Paths
// without an extension fall back to index.html (SPA navigation); missing files with one are 404.

import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../shared/log.ts';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
};

const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';

type Resolved = { kind: 'file'; segments: string[] } | { kind: 'error'; status: number; message: string };

/** Turns the raw request target into safe path segments, or the HTTP error to answer with. */
export function resolveRequestPath(rawUrl: string): Resolved {
  const cut = rawUrl.search(/[?#]/);
  const rawPath = cut === -1 ? rawUrl : rawUrl.slice(0, cut);
  if (!rawPath.startsWith('/')) return { kind: 'error', status: 400, message: 'Bad request path' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'error', status: 400, message: 'Malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\'))
    return { kind: 'error', status: 400, message: 'Bad request path' };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.'))
    return { kind: 'error', status: 400, message: 'Path traversal rejected' };
  return { kind: 'file', segments: segments.filter((s) => s !== '') };
}

/** Hashed build output is immutable; index.html, sw.js, *.webmanifest and every other unhashed file
 * (icons, registerSW.js) must be revalidated, or a deploy never reaches installed apps. */
export function cacheControlFor(segments: readonly string[]): string {
  return segments[0] === 'assets' && segments.length > 1 ? IMMUTABLE : NO_CACHE;
}

export function createStaticHandler(
  staticDir: string,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = path.resolve(staticDir);

  return async (req, res) => {
    const resolved = resolveRequestPath(req.url ?? '/');
    if (resolved.kind === 'error') return sendText(res, resolved.status, resolved.message);
    const { segments } = resolved;
    // Dotfiles (.env, .git) are never part of the app.
    if (segments.some((s) => s.startsWith('.'))) return sendText(res, 404, 'Not found');

    const last = segments[segments.length - 1] ?? '';
    const hasExtension = path.extname(last) !== '';
    const filePath = path.join(root, ...segments);
    if (filePath !== root && !filePath.startsWith(root + path.sep))
      return sendText(res, 400, 'Path traversal rejected');

    let target = segments.length > 0 ? await statFile(filePath) : undefined;
    let targetSegments = segments;
    if (!target && !hasExtension) {
      // SPA navigation: /, /collections/abc, /foo/ → the app shell.
      targetSegments = ['index.html'];
      target = await statFile(path.join(root, 'index.html'));
      if (!target) return sendText(res, 404, 'App not built: index.html is missing');
    }
    if (!target) return sendText(res, 404, 'Not found');
    await sendFile(req, res, target, targetSegments, log);
  };
}

interface FileInfo {
  path: string;
  size: number;
  mtimeMs: number;
}

async function statFile(filePath: string): Promise<FileInfo | undefined> {
  try {
    const stat = await fs.promises.stat(filePath);
    return stat.isFile() ? { path: filePath, size: stat.size, mtimeMs: stat.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: FileInfo,
  segments: readonly string[],
  log: Logger,
): Promise<void> {
  const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  res.setHeader(
    'Content-Type',
    MIME_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream',
  );
  res.setHeader('Cache-Control', cacheControlFor(segments));
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', new Date(file.mtimeMs).toUTCString());
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Length', file.size);
  res.statusCode = 200;
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(fs.createReadStream(file.path), res);
  } catch (err) {
    // Usually the client went away mid-download; nothing to answer any more.
    log.debug('static: stream failed', file.path, err);
    res.destroy();
  }
}

/** A JSON answer that no cache keeps. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, message: string): void {
  const body = `${message}\n`;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
