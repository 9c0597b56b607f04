// Moves automerge-repo's compaction (saving the whole document as one snapshot and deleting the
// chunks it replaces) off the write path. Upstream compacts inside the save that follows a change as
// soon as a document's incremental chunks outweigh its snapshot: during a 10k-item import that is a
// full save of a growing document on every other batch, most of the import's time. Here the save
// stays incremental (cheap, and just as durable) and the compaction runs once the document has been
// quiet for `idleMs`, with the document already in memory.
//
// Used by the engine and by the relay. It needs the two members that
// patches/@automerge+automerge-repo+2.5.6.patch adds to automerge-repo's StorageSubsystem; without
// them nothing changes and upstream compacts as before.

import type { Automerge, DocumentId, Repo } from '@automerge/automerge-repo/slim';
import { makeLogger } from './log.ts';

/** The members the build adds to StorageSubsystem. */
export interface DeferrableCompaction {
  /** Consulted when a save would compact; true means "save incrementally now, compact later". */
  deferCompaction?: (documentId: DocumentId) => boolean;
  /** Compacts now unless a compaction is already running; false when it did not run. */
  compactNow?: (documentId: DocumentId, doc: unknown) => Promise<boolean>;
  /** Makes a compaction's snapshot instead of Automerge.save. */
  snapshotBytes?: (doc: Automerge.Doc<unknown>) => Uint8Array;
}

export interface IdleCompaction {
  /**
   * Compacts a document now if a compaction is waiting for it (before dropping it from memory).
   * False when one is still waiting (another document's compaction was running).
   */
  settle(documentId: DocumentId): Promise<boolean>;
  /** Back to upstream behaviour; waiting compactions are dropped. */
  stop(): void;
}

/**
 * Defers the repo's compactions until each document has been idle for `idleMs`. With `quietTogether`,
 * until every document has been: a collection that went quiet does not compact (~0.5 s for 10k items
 * in a browser engine) in the middle of another one's import. The engine uses it; the relay does not:
 * on a busy relay some document is always being written, and the quiet ones would never compact.
 *
 * `snapshotBytes` makes the snapshot instead of Automerge.save: the deflate inside Automerge.save is
 * ~90% of a compaction and holds the thread for all of it (a 10k-item collection in Node: 465 ms
 * compressed, 67 ms uncompressed, 3.0 MB against 11.6 MB). The engine saves uncompressed and has
 * its storage deflate the bytes a slice at a time (src/worker/storage/deflated-snapshots.ts).
 */
export function compactWhenIdle(
  repo: Repo,
  {
    idleMs = 2_000,
    quietTogether = false,
    snapshotBytes,
  }: {
    idleMs?: number;
    quietTogether?: boolean;
    snapshotBytes?: (doc: Automerge.Doc<unknown>) => Uint8Array;
  } = {},
): IdleCompaction {
  const storage = repo.storageSubsystem as (DeferrableCompaction & object) | undefined;
  if (!storage || typeof storage.compactNow !== 'function')
    return { settle: () => Promise.resolve(true), stop: () => undefined };
  if (snapshotBytes) storage.snapshotBytes = snapshotBytes;
  const compactNow = storage.compactNow.bind(storage);
  const timers = new Map<DocumentId, unknown>();
  /** When a document last asked to compact: it was being written. */
  let lastAskedAt = -Infinity;

  const schedule = (documentId: DocumentId, delayMs = idleMs): void => {
    runtime.clearTimeout(timers.get(documentId));
    timers.set(
      documentId,
      runtime.setTimeout(() => {
        timers.delete(documentId);
        const quietFor = runtime.performance.now() - lastAskedAt;
        if (quietTogether && quietFor < idleMs) schedule(documentId, idleMs - quietFor);
        else void compact(documentId);
      }, delayMs),
    );
  };

  const compact = async (documentId: DocumentId): Promise<void> => {
    const handle = repo.handles[documentId];
    if (!handle?.isReady()) return;
    try {
      const started = runtime.performance.now();
      const headsBefore = handle.heads().join();
      // Another document's compaction is running (upstream allows one at a time): try again later.
      if (!(await compactNow(documentId, handle.doc()))) return schedule(documentId);
      // (No document ids in logs: whoever knows one can read the document.)
      log.debug(`compacted a document in ${Math.round(runtime.performance.now() - started)} ms`);
      // Writes that came during the compaction (the engine's deflates a slice at a time) were saved
      // incrementally without asking for one, since upstream never runs two at once: ask again.
      if (handle.heads().join() !== headsBefore) schedule(documentId);
    } catch (error) {
      log.error('could not compact a document', error);
    }
  };

  storage.deferCompaction = (documentId) => {
    lastAskedAt = runtime.performance.now();
    schedule(documentId);
    return true;
  };
  return {
    async settle(documentId) {
      if (!timers.has(documentId)) return true;
      runtime.clearTimeout(timers.get(documentId));
      timers.delete(documentId);
      await compact(documentId);
      return !timers.has(documentId);
    },
    stop() {
      delete storage.deferCompaction;
      delete storage.snapshotBytes;
      for (const timer of timers.values()) runtime.clearTimeout(timer);
      timers.clear();
    },
  };
}

const log = makeLogger('pinax:storage');

// Timers and a clock exist wherever this runs (a worker, Node), but src/shared is typed for neither.
const runtime = globalThis as unknown as {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  performance: { now(): number };
};
