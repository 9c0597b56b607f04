// Helpers for relay tests: real automerge-repo clients over real WebSockets, raw sockets for
// hostile frames, plain HTTP requests that keep the path exactly as written.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { WebSocket } from 'ws';

/**
 * An anonymous client (stock automerge-repo, no key): the relay lets it read link-visible
 * collections and nothing else.
 */
export async function connectClient(syncUrl: string, peerId?: string): Promise<Repo> {
  const repo = new Repo({
    network: [new WebSocketClientAdapter(syncUrl, 500)],
    sharePolicy: () => Promise.resolve(true),
    ...(peerId ? { peerId: peerId as PeerId } : {}),
  });
  await waitFor(() => repo.peers.length > 0, 'client to join the relay');
  return repo;
}

/** Resolves once the relay has acknowledged the handle's current heads (it stores what it acks). */
export async function waitForRelayToHave(repo: Repo, handle: DocHandle<unknown>): Promise<void> {
  await waitFor(() => {
    const heads = handle.heads();
    return repo.peers.some((peer) => {
      const storageId = repo.peerMetadataByPeerId[peer]?.storageId;
      const synced = storageId ? handle.getSyncInfo(storageId)?.lastHeads : undefined;
      return synced !== undefined && JSON.stringify([...synced].sort()) === JSON.stringify([...heads].sort());
    });
  }, 'relay to acknowledge the document');
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP request whose path is sent verbatim (fetch would normalise "/../" away). */
export function rawRequest(baseUrl: string, rawPath: string, method = 'GET'): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface RawSocket {
  ws: WebSocket;
  /** Resolves with the close code and reason once the relay (or we) closed the socket. */
  closed: Promise<{ code: number; reason: string }>;
}

export async function openRawSocket(
  syncUrl: string,
  headers: Record<string, string> = {},
): Promise<RawSocket> {
  const ws = new WebSocket(syncUrl, { headers });
  ws.on('error', () => {
    // Errors end in 'close', which is what the tests look at.
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`socket closed before opening (${code})`)));
  });
  return { ws, closed };
}

/** A stand-in for vite's dist/: index.html, a wasm file, hashed assets, a manifest and sw.js. */
export function makeStaticFixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinax-static-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Pinax</title>');
  fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("install", () => {});');
  fs.writeFileSync(path.join(dir, 'manifest.webmanifest'), '{"name":"Pinax"}');
  fs.writeFileSync(path.join(dir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.info("app");');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body{margin:0}');
  fs.writeFileSync(
    path.join(dir, 'assets', 'automerge-def456.wasm'),
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
  );
  return dir;
}
