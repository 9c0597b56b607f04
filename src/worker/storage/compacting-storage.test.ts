import { Repo } from '@automerge/automerge-repo';
import type { AutomergeUrl } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { openPinaxDb, type PinaxDb } from '../db.ts';
import { CompactingStorageAdapter } from './compacting-storage.ts';
import { DexieStorageAdapter } from './dexie-storage-adapter.ts';

interface Counter {
  count: number;
  log: string[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function freshDb(): PinaxDb {
  const db = openPinaxDb(`compaction-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => Promise.resolve(db.close()));
  return db;
}

function repoOn(storage: ConstructorParameters<typeof Repo>[0] extends infer C ? C : never): Repo {
  const repo = new Repo(storage);
  cleanups.push(() => repo.shutdown());
  return repo;
}

/** Makes `edits` separately flushed changes, as acknowledged commands do. */
async function editFlushed(repo: Repo, url: AutomergeUrl, edits: number): Promise<void> {
  const handle = await repo.find<Counter>(url);
  for (let i = 0; i < edits; i++) {
    handle.change((doc) => {
      doc.count = i + 1;
      doc.log.push(`edit ${i + 1}`);
    });
    await repo.flush([handle.documentId]);
  }
}

async function chunkKinds(
  db: PinaxDb,
  documentId: string,
): Promise<{ snapshots: number; incrementals: number }> {
  const rows = await db.chunks.toArray();
  const mine = rows.filter((row) => row.key[0] === documentId);
  return {
    snapshots: mine.filter((row) => row.key[1] === 'snapshot').length,
    incrementals: mine.filter((row) => row.key[1] === 'incremental').length,
  };
}

describe('CompactingStorageAdapter', () => {
  it('folds a burst of incremental saves into one snapshot once edits pause', async () => {
    const db = freshDb();
    const storage = new CompactingStorageAdapter(new DexieStorageAdapter(db), {
      maxIncrementals: 5,
      idleMs: 20,
    });
    const repo = repoOn({ storage, network: [] });
    // Large enough that automerge-repo's own rule (compact once incrementals outweigh the snapshot)
    // keeps the small incrementals, as it does for a real collection.
    const handle = repo.create<Counter>({
      count: 0,
      log: Array.from({ length: 2_000 }, (_, i) => `seed ${i}`),
    });
    await editFlushed(repo, handle.url, 30);
    await expect
      .poll(async () => (await chunkKinds(db, handle.documentId)).incrementals <= 5, { timeout: 5_000 })
      .toBe(true);
    expect((await db.chunks.toArray()).some((row) => row.key[2]?.startsWith('folded-'))).toBe(true);

    const reader = repoOn({ storage: new DexieStorageAdapter(db), network: [] });
    const doc = (await reader.find<Counter>(handle.url)).doc();
    expect(doc.count).toBe(30);
    expect(doc.log).toHaveLength(2_030);
  });

  it('repairs a document stored with too many incrementals before it is loaded', async () => {
    const db = freshDb();
    // Written without compaction (automerge-repo's own rule keeps hundreds of small incrementals
    // next to a large snapshot).
    const writer = repoOn({ storage: new DexieStorageAdapter(db), network: [] });
    const handle = writer.create<Counter>({
      count: 0,
      log: Array.from({ length: 2_000 }, (_, i) => `seed ${i}`),
    });
    await editFlushed(writer, handle.url, 25);
    const before = await chunkKinds(db, handle.documentId);
    expect(before.incrementals).toBeGreaterThan(10);

    const storage = new CompactingStorageAdapter(new DexieStorageAdapter(db), {
      maxIncrementals: 10,
      idleMs: 60_000,
    });
    const reader = repoOn({ storage, network: [] });
    const doc = (await reader.find<Counter>(handle.url)).doc();
    expect(doc.count).toBe(25);
    expect(doc.log).toHaveLength(2_025);
    expect(await chunkKinds(db, handle.documentId)).toEqual({ snapshots: 1, incrementals: 0 });
  });

  it('leaves a document with few incrementals alone', async () => {
    const db = freshDb();
    const storage = new CompactingStorageAdapter(new DexieStorageAdapter(db), {
      maxIncrementals: 50,
      idleMs: 10,
    });
    const repo = repoOn({ storage, network: [] });
    const handle = repo.create<Counter>({
      count: 0,
      log: Array.from({ length: 500 }, (_, i) => `seed ${i}`),
    });
    await editFlushed(repo, handle.url, 8);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const keys = (await db.chunks.toArray()).map((row) => row.key.join('/'));
    expect(keys.filter((key) => key.includes('/incremental/')).length).toBeGreaterThan(5);
    expect(keys.some((key) => key.includes('folded-'))).toBe(false);
  });
});
