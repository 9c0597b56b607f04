// POST /snapshot: the whole document as one saved Automerge binary, for a device that has nothing
// of it yet. Through the sync protocol a fresh device receiving a 10k-item collection spends most of
// its time in Automerge: the relay generates the message (~0.5 s, a full save per new peer), the
// device applies it as patches, then saves it again in full for storage (~0.7 s). With a snapshot
// the device stores the bytes as they are and loads them once; sync then only exchanges heads.
//
// A document stored whole (one snapshot chunk, nothing since) is sent as stored: saving a 10k-item
// collection again took the relay ~0.5 s per request after a restart, on every fresh device's
// critical path. Otherwise the relay saves it once and caches the bytes until its heads change.
//
// The document id travels in the request body, never in the URL: whoever knows the id can read the
// document (exactly as through /sync), so it is a secret that must stay out of access logs.

import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Automerge from '@automerge/automerge';
import type { DocumentId, Repo, StorageAdapterInterface } from '@automerge/automerge-repo';
import { isValidDocumentId } from '@automerge/automerge-repo';
import type { Logger } from '../shared/log.ts';
import { readSmallBody } from './request-body.ts';
import { sendText } from './static.ts';

export const SNAPSHOT_PATH = '/snapshot';
/** A request body is `{"documentId":"..."}`: anything longer is not one. */
export const MAX_SNAPSHOT_REQUEST_BYTES = 1024;
/** Saved binaries kept for the next device asking, by total size. */
const CACHE_BUDGET_BYTES = 128 * 1024 * 1024;

export type SnapshotHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * `mayRead` decides, per request, whether its sender may read the document (members-only
 * collections); it defaults to everyone. `storage` is the Repo's storage, read for documents stored
 * whole.
 */
export function createSnapshotHandler(
  repo: Repo,
  log: Logger,
  mayRead: (req: IncomingMessage, documentId: DocumentId) => Promise<boolean> = () => Promise.resolve(true),
  storage?: StorageAdapterInterface,
): SnapshotHandler {
  const cache = new SnapshotCache(CACHE_BUDGET_BYTES);

  return async (req, res) => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendText(res, 405, 'Method not allowed');
    }
    const body = await readSmallBody(req, MAX_SNAPSHOT_REQUEST_BYTES);
    if (body === undefined) {
      res.setHeader('Connection', 'close'); // the rest of the body is never read
      return sendText(res, 413, 'Request too large');
    }
    const documentId = parseRequest(body);
    if (!documentId) return sendText(res, 400, 'Expected {"documentId": "<a document id>"}');
    // Refused exactly like a document the relay does not hold: a non-member learns nothing.
    if (!(await mayRead(req, documentId))) return sendText(res, 404, 'Not found');

    const snapshot = await snapshotOf(documentId);
    // Not here (or not yet): the device falls back to asking through /sync, which can also reach
    // other peers. 404 says nothing about whether the id exists anywhere.
    if (!snapshot) return sendText(res, 404, 'Not found');
    const { bytes, from } = snapshot;

    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': bytes.byteLength,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(bytes);
    log.debug(`snapshot: sent ${bytes.byteLength} bytes (${from})`);
  };

  async function snapshotOf(
    documentId: DocumentId,
  ): Promise<{ bytes: Uint8Array; from: 'storage' | 'memory' } | undefined> {
    const loaded = repo.handles[documentId];
    const inMemory = loaded?.isReady() ? loaded.doc() : undefined;
    // Bytes already saved at the current heads cost nothing: no disk read.
    const cached = inMemory ? cache.peek(documentId, inMemory) : undefined;
    if (cached) return { bytes: cached, from: 'memory' };
    const inMemoryHeads = inMemory ? Automerge.getHeads(inMemory) : undefined;
    const whole = storage ? await storedWholeDocument(storage, documentId, inMemoryHeads) : undefined;
    if (whole) return { bytes: whole, from: 'storage' };
    const doc = await localDocument(repo, documentId);
    return doc ? { bytes: cache.get(documentId, doc), from: 'memory' } : undefined;
  }
}

/**
 * The document's stored snapshot when it is all the relay has of it: the only snapshot chunk, with
 * no incremental chunk beside it and, when the document is in memory, saved at the heads it has
 * now (automerge-repo names a snapshot by a hash of its heads). Undefined otherwise.
 */
export async function storedWholeDocument(
  storage: StorageAdapterInterface,
  documentId: DocumentId,
  inMemoryHeads?: readonly string[],
): Promise<Uint8Array | undefined> {
  // Incremental chunks first: with any, the (large) snapshot is not read at all.
  if ((await storage.loadRange([documentId, 'incremental'])).length > 0) return undefined;
  const snapshots = await storage.loadRange([documentId, 'snapshot']);
  if (snapshots.length !== 1) return undefined;
  const [only] = snapshots;
  if (!only?.data) return undefined;
  if (inMemoryHeads && only.key[2] !== (await headsHash(inMemoryHeads))) return undefined;
  return only.data;
}

/** automerge-repo's snapshot name: SHA-256 (hex) of the heads' hex strings, concatenated. */
async function headsHash(heads: readonly string[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(heads.join('')));
  return Buffer.from(digest).toString('hex');
}

/** The document if this relay holds it (in memory or on disk); never asks other peers. */
async function localDocument(
  repo: Repo,
  documentId: DocumentId,
): Promise<Automerge.Doc<unknown> | undefined> {
  const cached = repo.handles[documentId];
  if (cached?.isReady()) return cached.doc();
  const stored = await repo.storageSubsystem?.loadDocData(documentId);
  if (!stored) return undefined;
  const handle = await repo.find(documentId);
  return handle.doc();
}

/** One saved binary per document, valid while the document's heads stay the same. */
class SnapshotCache {
  #entries = new Map<DocumentId, { heads: string; bytes: Uint8Array }>();
  #bytes = 0;
  readonly #budget: number;

  constructor(budget: number) {
    this.#budget = budget;
  }

  /** The bytes saved at the document's current heads, if any. */
  peek(documentId: DocumentId, doc: Automerge.Doc<unknown>): Uint8Array | undefined {
    const hit = this.#entries.get(documentId);
    if (hit?.heads !== Automerge.getHeads(doc).join(',')) return undefined;
    // Re-insert: Map order doubles as least-recently-used order.
    this.#entries.delete(documentId);
    this.#entries.set(documentId, hit);
    return hit.bytes;
  }

  get(documentId: DocumentId, doc: Automerge.Doc<unknown>): Uint8Array {
    const cached = this.peek(documentId, doc);
    if (cached) return cached;
    const heads = Automerge.getHeads(doc).join(',');
    const hit = this.#entries.get(documentId);
    if (hit) this.#drop(documentId, hit.bytes);
    const bytes = Automerge.save(doc);
    this.#entries.set(documentId, { heads, bytes });
    this.#bytes += bytes.byteLength;
    for (const [id, entry] of this.#entries) {
      if (this.#bytes <= this.#budget || id === documentId) break;
      this.#drop(id, entry.bytes);
    }
    return bytes;
  }

  #drop(documentId: DocumentId, bytes: Uint8Array): void {
    this.#entries.delete(documentId);
    this.#bytes -= bytes.byteLength;
  }
}

function parseRequest(body: string): DocumentId | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== 'object') return undefined;
    const id = (parsed as { documentId?: unknown }).documentId;
    return typeof id === 'string' && isValidDocumentId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The request body as text, or undefined once it passes `limit` bytes (the rest is not read). */
