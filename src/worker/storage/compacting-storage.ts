// Keeps every document's stored history short enough to load.
//
// automerge-repo 2.5.6 loads a document by concatenating its snapshot and all incremental chunks and
// calling loadIncremental once. With @automerge/automerge 3.5.0 that call panics ("unreachable")
// for a large collection after a few hundred one-edit incrementals (each acknowledged command
// flushes one): the collection then cannot be opened at all (bench/repro/automerge-load-panic.mjs).
// Loading the same chunks one at a time works. So this wrapper folds a document's chunks into one
// snapshot, one chunk at a time, whenever they pile up: in the background once edits pause, and
// before a load as a repair for profiles that already have too many.
//
// Safe beside automerge-repo's own compaction: a chunk is deleted only after a snapshot containing
// it has been written, and only chunks that were read are deleted, so concurrent writes survive.

import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';

export interface CompactionOptions {
  /** Fold a document's chunks once it has more incrementals than this. */
  maxIncrementals?: number;
  /** Background compaction waits this long after the last save of the document. */
  idleMs?: number;
}

export class CompactingStorageAdapter implements StorageAdapterInterface {
  #inner: StorageAdapterInterface;
  #maxIncrementals: number;
  #idleMs: number;
  #incrementalSaves = new Map<string, number>();
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #running = new Map<string, Promise<void>>();

  constructor(inner: StorageAdapterInterface, options: CompactionOptions = {}) {
    this.#inner = inner;
    this.#maxIncrementals = options.maxIncrementals ?? 64;
    this.#idleMs = options.idleMs ?? 3_000;
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#inner.load(key);
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await this.#inner.save(key, data);
    const [documentId, kind] = key;
    if (kind !== 'incremental' || documentId === undefined) return;
    const saves = (this.#incrementalSaves.get(documentId) ?? 0) + 1;
    this.#incrementalSaves.set(documentId, saves);
    if (saves > this.#maxIncrementals) this.#scheduleCompaction(documentId);
  }

  remove(key: StorageKey): Promise<void> {
    return this.#inner.remove(key);
  }

  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const [documentId, kind] = prefix;
    // automerge-repo reads a document's snapshots first, then its incrementals: repair before that.
    if (prefix.length === 2 && kind === 'snapshot' && documentId !== undefined)
      await this.compact(documentId);
    return this.#inner.loadRange(prefix);
  }

  removeRange(prefix: StorageKey): Promise<void> {
    return this.#inner.removeRange(prefix);
  }

  /** Folds the document's chunks into one snapshot if it has too many incrementals. */
  compact(documentId: string): Promise<void> {
    const running = this.#running.get(documentId);
    if (running) return running;
    const run = this.#fold(documentId)
      .catch((error: unknown) => log.error(`could not compact ${documentId}`, error))
      .finally(() => this.#running.delete(documentId));
    this.#running.set(documentId, run);
    return run;
  }

  #scheduleCompaction(documentId: string): void {
    clearTimeout(this.#timers.get(documentId));
    this.#timers.set(
      documentId,
      setTimeout(() => {
        this.#timers.delete(documentId);
        void this.compact(documentId);
      }, this.#idleMs),
    );
  }

  async #fold(documentId: string): Promise<void> {
    const incrementals = await this.#inner.loadRange([documentId, 'incremental']);
    if (incrementals.length <= this.#maxIncrementals) {
      this.#incrementalSaves.set(documentId, incrementals.length);
      return;
    }
    const snapshots = await this.#inner.loadRange([documentId, 'snapshot']);
    const started = performance.now();
    let doc = Automerge.init<unknown>();
    for (const chunk of [...snapshots, ...incrementals]) {
      if (chunk.data) doc = Automerge.loadIncremental(doc, chunk.data);
    }
    const snapshot = Automerge.save(doc);
    const key = [documentId, 'snapshot', `folded-${await headsDigest(Automerge.getHeads(doc))}`];
    await this.#inner.save(key, snapshot);
    for (const chunk of [...snapshots, ...incrementals]) {
      if (chunk.key.join('/') !== key.join('/')) await this.#inner.remove(chunk.key);
    }
    this.#incrementalSaves.set(documentId, 0);
    log.info(
      `folded ${snapshots.length} snapshot(s) and ${incrementals.length} incrementals of ${documentId} ` +
        `into ${snapshot.byteLength} bytes in ${Math.round(performance.now() - started)} ms`,
    );
  }
}

const log = makeLogger('pinax:storage');

async function headsDigest(heads: string[]): Promise<string> {
  const bytes = new TextEncoder().encode([...heads].sort().join(','));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
