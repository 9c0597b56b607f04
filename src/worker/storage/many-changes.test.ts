// Documents with many small changes since their last compaction (the patched automerge-repo, see
// patches/README.md): they load with every change, compaction is due after a few dozen incremental
// chunks however small (also when a document is loaded with that many), and not even deferral lets
// them pile up past a hard cap.

import { ImmutableString, Repo } from '@automerge/automerge-repo';
import type { DocHandle } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { compactWhenIdle } from '../../shared/idle-compaction.ts';
import { openPinaxDb } from '../db.ts';
import { DexieStorageAdapter } from './dexie-storage-adapter.ts';

interface Shelf {
  filler: ImmutableString;
  titles: Record<string, ImmutableString>;
}

const cleanups = cleanupsAfterEach();

function freshStorage(): DexieStorageAdapter {
  const db = openPinaxDb(`many-changes-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => Promise.resolve(db.close()));
  return new DexieStorageAdapter(db.chunks);
}

function repoOn(storage: DexieStorageAdapter): Repo {
  const repo = new Repo({ storage, network: [] });
  cleanups.push(() => repo.shutdown());
  return repo;
}

/** A document big enough that its small edits never outweigh its snapshot. */
async function createShelf(repo: Repo): Promise<DocHandle<Shelf>> {
  // Random text: it must not compress to nothing.
  const filler = Array.from({ length: 8192 }, () => Math.random().toString(36).slice(2, 10)).join('');
  const handle = repo.create<Shelf>({ filler: new ImmutableString(filler), titles: {} });
  await repo.flush([handle.documentId]);
  return handle;
}

/** A repo whose compactions wait "until idle" for an hour (so only the hard cap compacts), or `idleMs`. */
function repoCompactingWhenIdle(storage: DexieStorageAdapter, idleMs = 3_600_000): Repo {
  const repo = repoOn(storage);
  const idle = compactWhenIdle(repo, { idleMs });
  cleanups.push(() => Promise.resolve(idle.stop()));
  return repo;
}

/** One small edit per change, each flushed to storage. */
async function editTitles(repo: Repo, handle: DocHandle<Shelf>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    handle.change((doc) => {
      doc.titles[`item-${i % 7}`] = new ImmutableString(`title ${i}`);
    });
    await repo.flush([handle.documentId]);
  }
}

async function incrementalCount(storage: DexieStorageAdapter, handle: DocHandle<Shelf>): Promise<number> {
  return (await storage.loadRange([handle.documentId, 'incremental'])).length;
}

describe('a document with many small changes', () => {
  it('is compacted once a few dozen incremental chunks have piled up, however small', async () => {
    const storage = freshStorage();
    const repo = repoOn(storage);
    const handle = await createShelf(repo);
    await editTitles(repo, handle, 100);
    // 100 edits of a few bytes never outweigh a 64 KB snapshot: only their number makes it due.
    expect(await incrementalCount(storage, handle)).toBeLessThan(40);
    expect(await incrementalCount(storage, handle)).toBeGreaterThan(0);
  });

  it('loads with every change from a snapshot and hundreds of incremental chunks', async () => {
    const storage = freshStorage();
    // Deferred "until idle" for an hour: only the hard cap compacts.
    const writer = repoCompactingWhenIdle(storage);
    const handle = await createShelf(writer);
    await editTitles(writer, handle, 300);
    const stored = await incrementalCount(storage, handle);
    // The hard cap (256) compacted once; what is left is still far more than one.
    expect(stored).toBeLessThanOrEqual(256);
    expect(stored).toBeGreaterThan(20);

    const reader = repoOn(storage);
    const copy = await reader.find<Shelf>(handle.url);
    expect(copy.heads()).toEqual(handle.heads());
    expect(Object.fromEntries(Object.entries(copy.doc().titles).map(([k, v]) => [k, v.toString()]))).toEqual(
      Object.fromEntries(Object.entries(handle.doc().titles).map(([k, v]) => [k, v.toString()])),
    );
  });

  it('is compacted once idle after loading with a backlog of incremental chunks, without an edit', async () => {
    const storage = freshStorage();
    // The writer stops before its idle compaction runs (a tab closed while typing).
    const writer = repoCompactingWhenIdle(storage);
    const handle = await createShelf(writer);
    await editTitles(writer, handle, 60);
    expect(await incrementalCount(storage, handle)).toBeGreaterThanOrEqual(32);

    const reader = repoCompactingWhenIdle(storage, 50);
    const copy = await reader.find<Shelf>(handle.url);
    await expect.poll(() => incrementalCount(storage, handle), { timeout: 5_000 }).toBe(0);
    expect((await storage.loadRange([handle.documentId, 'snapshot'])).length).toBe(1);
    // Nothing was lost: a third repo loads the compacted document whole.
    const again = await repoOn(storage).find<Shelf>(handle.url);
    expect(again.heads()).toEqual(copy.heads());
    expect(again.doc().titles['item-3']?.toString()).toBe(handle.doc().titles['item-3']?.toString());
  });

  it('loads an incremental chunk that holds hundreds of changes saved together', async () => {
    const storage = freshStorage();
    const writer = repoCompactingWhenIdle(storage);
    const handle = await createShelf(writer);
    // Many changes, one save: as when hundreds of offline edits arrive in one sync message.
    for (let i = 0; i < 300; i++)
      handle.change((doc) => {
        doc.titles[`item-${i % 7}`] = new ImmutableString(`title ${i}`);
      });
    await writer.flush([handle.documentId]);
    expect(await incrementalCount(storage, handle)).toBe(1);

    const copy = await repoOn(storage).find<Shelf>(handle.url);
    expect(copy.heads()).toEqual(handle.heads());
    expect(copy.doc().titles['item-5']?.toString()).toBe(handle.doc().titles['item-5']?.toString());
  });
});
