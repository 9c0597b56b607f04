// Saves of one document run one at a time (the patched automerge-repo, see patches/README.md). A
// save writes what changed since the last save that completed, so overlapping saves (an import's
// flushes, each issued while the one before was still being written) wrote the same changes over
// and over. Now a save asked for during another waits, then writes only the rest, and a flush still
// resolves only once its changes are stored.

import * as Automerge from '@automerge/automerge';
import { ImmutableString, Repo } from '@automerge/automerge-repo';
import type { DocHandle } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { compactWhenIdle } from '../../shared/idle-compaction.ts';
import { openPinaxDb } from '../db.ts';
import { DexieStorageAdapter } from './dexie-storage-adapter.ts';

interface Notes {
  notes: Record<string, ImmutableString>;
}

const cleanups = cleanupsAfterEach();

describe('saves of one document', () => {
  it('write each change once when flushes overlap', async () => {
    const { repo, written } = countingRepo();
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);
    const before = Automerge.getHeads(handle.doc());
    written.bytes = 0;

    const flushes: Array<Promise<void>> = [];
    for (let batch = 0; batch < 10; batch++) {
      addNotes(handle, batch, 300);
      flushes.push(repo.flush([handle.documentId])); // not awaited, as an import does
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await Promise.all(flushes);

    const content = Automerge.saveSince(handle.doc(), before).byteLength;
    // Chunks compress a little differently when split; overlapping saves wrote about 4x.
    expect(written.bytes).toBeGreaterThan(content * 0.9);
    expect(written.bytes).toBeLessThan(content * 1.2);
  });

  it('resolve a flush that joined a waiting save only once its changes are stored', async () => {
    const { repo, storage } = countingRepo();
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);

    addNotes(handle, 0, 200);
    const first = repo.flush([handle.documentId]); // running
    addNotes(handle, 1, 200);
    const second = repo.flush([handle.documentId]); // waits for the first
    addNotes(handle, 2, 200);
    const third = repo.flush([handle.documentId]); // joins the second, with batch 2 too
    await third;
    expect(Object.keys(await storedNotes(storage, handle))).toHaveLength(600);
    await Promise.all([first, second]);
  });

  it('do not write a removed document back from a waiting save', async () => {
    const { repo, storage } = countingRepo();
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);
    // The running save is held until the document is removed; every save after that is counted.
    const save = storage.save.bind(storage);
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let savedAfterRemoval = 0;
    let removed = false;
    storage.save = async (key, data) => {
      await held;
      if (removed && key[0] === handle.documentId) savedAfterRemoval++;
      return save(key, data);
    };
    addNotes(handle, 0, 50);
    const running = repo.flush([handle.documentId]);
    addNotes(handle, 1, 50);
    const waiting = repo.flush([handle.documentId]);
    await repo.storageSubsystem!.removeDoc(handle.documentId);
    removed = true;
    release();
    await Promise.all([running, waiting]);
    // The running one was already on its way (as without the queue); the waiting one never starts.
    expect(savedAfterRemoval).toBe(1);
  });

  it('keep saving after a failed save', async () => {
    const { repo, storage } = countingRepo();
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);
    const save = storage.save.bind(storage);
    let failNext = true;
    storage.save = (key, data) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('disk full'));
      }
      return save(key, data);
    };
    addNotes(handle, 0, 10);
    const failing = repo.flush([handle.documentId]);
    addNotes(handle, 1, 10);
    const next = repo.flush([handle.documentId]);
    await expect(failing).rejects.toThrow('disk full');
    await next;
    expect(Object.keys(await storedNotes(storage, handle))).toHaveLength(20);
  });
});

describe('incremental chunks', () => {
  // The patched repo hashes them with WebCrypto instead of fast-sha256 (patches/README.md): the
  // keys must stay what upstream names them, so chunks written before and after read alike.
  it('are named by the SHA-256 of their bytes', async () => {
    const { repo, storage } = countingRepo();
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);
    addNotes(handle, 0, 40);
    await repo.flush([handle.documentId]);
    addNotes(handle, 1, 40);
    await repo.flush([handle.documentId]);

    const incrementals = (await storage.loadRange([handle.documentId, 'incremental'])).filter(
      (chunk) => chunk.data !== undefined,
    );
    expect(incrementals.length).toBeGreaterThanOrEqual(2);
    for (const chunk of incrementals) expect(chunk.key[2]).toBe(await sha256Hex(chunk.data!));
  });
});

function countingRepo() {
  const db = openPinaxDb(`serial-saves-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => Promise.resolve(db.close()));
  const storage = new DexieStorageAdapter(db.chunks);
  const written = { bytes: 0 };
  const save = storage.save.bind(storage);
  storage.save = (key, data) => {
    if (key[1] === 'incremental') written.bytes += data.byteLength;
    return save(key, data);
  };
  const repo = new Repo({ storage, network: [] });
  cleanups.push(() => repo.shutdown());
  const idle = compactWhenIdle(repo, { idleMs: 3_600_000 }); // no compaction during the test
  cleanups.push(() => Promise.resolve(idle.stop()));
  return { repo, storage, written };
}

function addNotes(handle: DocHandle<Notes>, batch: number, count: number): void {
  handle.change((doc) => {
    for (let i = 0; i < count; i++)
      doc.notes[`${batch}-${i}`] = new ImmutableString(
        `${batch}/${i} ${Math.random().toString(36)}`.repeat(8),
      );
  });
}

/** The document as storage holds it now, read back chunk by chunk. */
async function storedNotes(storage: DexieStorageAdapter, handle: DocHandle<Notes>) {
  const chunks = await storage.loadRange([handle.documentId]);
  let doc = Automerge.init<Notes>();
  for (const chunk of chunks)
    if (chunk.data && chunk.key[1] !== 'sync-state') doc = Automerge.loadIncremental(doc, chunk.data);
  return doc.notes ?? {};
}

async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
