// First contact with a collection: fetch the relay's saved snapshot of the whole document and store
// it as is, before automerge-repo loads the document. A 10k-item collection then costs one HTTP
// response, one IndexedDB put and one load, instead of a sync message applied as 10k items of
// patches and a full re-save for storage (see src/server/snapshot.ts). Sync still runs afterwards
// and only exchanges what differs, so a stale or partial snapshot is harmless.
//
// Only for documents with nothing stored locally: it never touches data the device already has.
// Any failure (offline, no relay, not found, junk) just means "sync the usual way".

import type { DocumentId, Repo, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';
import { milestone } from '../milestones.ts';

/** Refuse snapshots larger than this: sync can still bring the document in pieces. */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
/** How long a refused first request waits for the relay session before syncing instead. */
const SESSION_WAIT_MS = 5_000;
/** Every Automerge chunk starts with these bytes. */
const AUTOMERGE_MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;

/** The Pinax patch of automerge-repo's StorageSubsystem (patches/README.md). */
interface AdoptingStorage {
  adoptWrite?: (documentId: DocumentId, key: StorageKey, bytes: Uint8Array, written: Promise<void>) => void;
}

/** The relay's answer to a snapshot request: the bytes, 'refused' (404), or undefined (anything else). */
type SnapshotAnswer = Uint8Array | 'refused' | undefined;

export interface BootstrapOptions {
  onProgress?: BootstrapProgress;
  /** Runs once a download has started, with it, to use the wait. */
  whileDownloading?: (download: Promise<unknown>) => void;
  /** The relay session, to ask again once it opens when an anonymous request was refused. */
  session?: SessionState;
  /** Whether this profile had no database at all when the engine started (see new-profile.ts). */
  profileWasNew?: () => Promise<boolean>;
}

/**
 * Resolves with the snapshot it is storing, as soon as the write has started, or with undefined when
 * it stores nothing.
 */
export type Bootstrap = (documentId: string) => Promise<BootstrapSnapshot | undefined>;

/** A downloaded snapshot on its way to storage. */
export interface BootstrapSnapshot {
  bytes: Uint8Array;
  /** Where it is being written. */
  key: StorageKey;
  /**
   * Settles with the write: the document may be loaded from `bytes` meanwhile, but it is stored only
   * once this resolves. Rejects when the write failed (a failure is logged here already).
   */
  written: Promise<void>;
}

/** Called as a snapshot downloads: bytes so far, and the total when the relay sent one. */
export type BootstrapProgress = (documentId: string, bytes: number, totalBytes: number | null) => void;

/** What the bootstrap needs to know of the relay session (RelaySessionState). */
export interface SessionState {
  readonly open: boolean;
  next(timeoutMs: number): Promise<boolean>;
}

/** Where snapshots are written: the Repo's own storage, plus a cheap "anything stored?" check. */
export interface SnapshotStorage {
  save: StorageAdapterInterface['save'];
  hasAny(prefix: StorageKey): Promise<boolean>;
}

/**
 * Returns a function that stores the relay's snapshot of a document the device lacks, resolving
 * with it when one was stored. `snapshotUrl` is the relay's POST /snapshot endpoint.
 *
 * The request carries the relay session's cookie when there is one. A fresh device asks before its
 * first handshake is over, anonymously, and the relay refuses an anonymous device what it does not
 * know to be link-visible (a collection not registered yet, say); such a refusal is asked again
 * once `session` has opened, instead of syncing the slow way. find() waits for the bootstrap, but
 * sync could not start before the session either.
 */
export function snapshotBootstrap(
  storage: SnapshotStorage,
  snapshotUrl: string,
  {
    onProgress = () => undefined,
    whileDownloading = () => undefined,
    session,
    profileWasNew = () => Promise.resolve(false),
  }: BootstrapOptions = {},
): Bootstrap {
  return async (documentId) => {
    try {
      const report = (received: number, total: number | null) => onProgress(documentId, received, total);
      const fetchOnce = (signal?: AbortSignal) => fetchSnapshot(snapshotUrl, documentId, report, signal);
      const hadSession = session?.open ?? true;
      // A profile that had no database when the engine started has nothing stored yet: its download
      // starts alongside the storage check, which waits for that new database to be created
      // (~0.1 s on a fresh device), instead of after it.
      const cancel = new AbortController();
      const early = (await profileWasNew()) ? fetchOnce(cancel.signal) : undefined;
      // Awaited below, or dropped: a failure while the check runs is no unhandled rejection.
      early?.catch(() => undefined);
      if (early) milestone('snapshot-download');
      if (await storage.hasAny([documentId])) {
        cancel.abort();
        return undefined;
      }
      const download = early ?? fetchOnce();
      if (!early) milestone('snapshot-download');
      whileDownloading(download);
      let answer = await download;
      milestone('snapshot-downloaded');
      if (
        answer === 'refused' &&
        !hadSession &&
        session &&
        (session.open || (await session.next(SESSION_WAIT_MS)))
      ) {
        milestone('snapshot-download-again');
        answer = await fetchOnce();
      }
      const bytes = answer === 'refused' ? undefined : answer;
      if (!bytes) return undefined;
      // Checked again: the document may have arrived by sync while the snapshot was downloading.
      if (await storage.hasAny([documentId])) return undefined;
      const key: StorageKey = [documentId, 'snapshot', 'bootstrap'];
      const written = storage.save(key, bytes).then(
        () => {
          milestone('snapshot-stored');
          log.info(`stored a ${bytes.byteLength}-byte snapshot from the relay`);
        },
        (error: unknown) => {
          log.warn('could not store the snapshot from the relay', error);
          throw error;
        },
      );
      // Whoever loads the bytes awaits the write; nobody may, when the load is abandoned.
      written.catch(() => undefined);
      return { bytes, key, written };
    } catch (error) {
      log.info('no snapshot from the relay; syncing instead', error);
      return undefined;
    }
  };
}

/**
 * Lets `repo` load a snapshot still being written from its bytes (the Pinax patch of automerge-repo's
 * StorageSubsystem, `adoptWrite`): the load overlaps the write instead of following it and reading
 * the bytes back. Await it, then `repo.find()` the document (which must have no handle yet). Without
 * the patch it resolves once the write is done, and the load reads storage as before.
 */
export async function adoptSnapshot(
  repo: Repo,
  documentId: string,
  snapshot: BootstrapSnapshot,
): Promise<void> {
  const storage = repo.storageSubsystem as (AdoptingStorage & object) | undefined;
  if (typeof storage?.adoptWrite === 'function')
    storage.adoptWrite(documentId as DocumentId, snapshot.key, snapshot.bytes, snapshot.written);
  else await snapshot.written.catch(() => undefined);
}

/** The relay endpoint beside its WebSocket sync URL: ws://host/sync → http://host/snapshot. */
export function snapshotUrlFor(relaySyncUrl: string): string {
  const url = new URL(relaySyncUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/sync$/, '/snapshot');
  return url.toString();
}

/** Whether bytes look like Automerge chunks; loading still validates checksums and structure. */
export function looksLikeAutomerge(bytes: Uint8Array): boolean {
  return bytes.byteLength > 8 && AUTOMERGE_MAGIC.every((byte, i) => bytes[i] === byte);
}

/** The snapshot; 'refused' when the relay has none for this device (404); undefined otherwise. */
async function fetchSnapshot(
  url: string,
  documentId: string,
  onProgress: (bytes: number, totalBytes: number | null) => void,
  cancel?: AbortSignal,
): Promise<SnapshotAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    // The id is a read capability: it goes in the body, never in the URL.
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ documentId }),
    cache: 'no-store',
    // The session cookie, when there is one: members-only collections are refused without it.
    credentials: 'same-origin',
    signal: cancel
      ? AbortSignal.any([cancel, AbortSignal.timeout(TIMEOUT_MS)])
      : AbortSignal.timeout(TIMEOUT_MS),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    return response.status === 404 ? 'refused' : undefined;
  }
  const declared = Number(response.headers.get('Content-Length') ?? 'NaN');
  if (declared > MAX_SNAPSHOT_BYTES) {
    await response.body?.cancel();
    log.warn(`relay snapshot too large (${declared} bytes); syncing instead`);
    return undefined;
  }
  const bytes = await readBody(response, Number.isFinite(declared) ? declared : null, onProgress);
  if (!bytes || !looksLikeAutomerge(bytes)) {
    log.warn('relay sent something that is not an Automerge snapshot; syncing instead');
    return undefined;
  }
  return bytes;
}

/** The body, reporting progress per chunk; undefined once it passes MAX_SNAPSHOT_BYTES. */
async function readBody(
  response: Response,
  declared: number | null,
  onProgress: (bytes: number, totalBytes: number | null) => void,
): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress(0, declared);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > MAX_SNAPSHOT_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
    onProgress(received, declared);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const log = makeLogger('pinax:snapshot');
