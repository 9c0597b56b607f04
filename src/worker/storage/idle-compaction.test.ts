import * as Automerge from '@automerge/automerge';
import { ImmutableString, Repo } from '@automerge/automerge-repo';
import type { DocumentId } from '@automerge/automerge-repo';
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

function freshStorage(): DexieStorageAdapter {
  const db = openPinaxDb(`idle-compaction-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => Promise.resolve(db.close()));
  return new DexieStorageAdapter(db.chunks);
}

function repoOn(storage: DexieStorageAdapter): Repo {
  const repo = new Repo({ storage, network: [] });
  cleanups.push(() => repo.shutdown());
  return repo;
}

/** Import-like batches, each flushed: every batch outweighs what is stored before it. */
async function writeBatches(repo: Repo, id: DocumentId, batches: number): Promise<void> {
  const handle = await repo.find<Notes>(id);
  for (let b = 0; b < batches; b++) {
    handle.change((doc) => {
      for (let i = 0; i < 50; i++) doc.notes[`${b}-${i}`] = new ImmutableString(`note ${b}/${i} `.repeat(20));
    });
    await repo.flush([id]);
  }
}

async function chunkKinds(storage: DexieStorageAdapter, id: DocumentId) {
  return {
    snapshots: (await storage.loadRange([id, 'snapshot'])).length,
    incrementals: (await storage.loadRange([id, 'incremental'])).length,
  };
}

const until = async (check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('compactWhenIdle', () => {
  it('keeps saves incremental while writes go on, then folds them into one snapshot when idle', async () => {
    const storage = freshStorage();
    const repo = repoOn(storage);
    compactWhenIdle(repo, { idleMs: 300 });
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);

    await writeBatches(repo, handle.documentId, 6);
    // Without the hook, upstream would have rewritten the snapshot on every other batch.
    expect(await chunkKinds(storage, handle.documentId)).toEqual({ snapshots: 1, incrementals: 6 });

    await until(async () => (await chunkKinds(storage, handle.documentId)).incrementals === 0);
    expect(await chunkKinds(storage, handle.documentId)).toEqual({ snapshots: 1, incrementals: 0 });

    const reloaded = await repoOn(storage).find<Notes>(handle.documentId);
    expect(Object.keys(reloaded.doc().notes)).toHaveLength(300);
    expect(reloaded.heads()).toEqual(handle.heads());
  });

  it('with quietTogether, waits while another document is being written, then compacts both', async () => {
    const storage = freshStorage();
    const repo = repoOn(storage);
    compactWhenIdle(repo, { idleMs: 300, quietTogether: true });
    const quiet = repo.create<Notes>({ notes: {} });
    const busy = repo.create<Notes>({ notes: {} });
    await repo.flush([quiet.documentId, busy.documentId]);

    await writeBatches(repo, quiet.documentId, 3);
    // The other document is written for ~1.2 s, well past the first one's 300 ms of quiet.
    const writingUntil = Date.now() + 1_200;
    let batches = 0;
    while (Date.now() < writingUntil) {
      busy.change((doc) => {
        for (let i = 0; i < 50; i++)
          doc.notes[`${batches}-${i}`] = new ImmutableString(`busy ${batches}/${i} `.repeat(20));
      });
      await repo.flush([busy.documentId]);
      batches++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(batches).toBeGreaterThan(3);
    // Without quietTogether the first document compacts ~300 ms into the other's writes.
    expect(await chunkKinds(storage, quiet.documentId)).toEqual({ snapshots: 1, incrementals: 3 });

    await until(async () => (await chunkKinds(storage, quiet.documentId)).incrementals === 0);
    await until(async () => (await chunkKinds(storage, busy.documentId)).incrementals === 0);
    expect(await chunkKinds(storage, quiet.documentId)).toEqual({ snapshots: 1, incrementals: 0 });
  });

  it('stores the snapshot uncompressed when asked, and it loads the same', async () => {
    const storage = freshStorage();
    const repo = repoOn(storage);
    compactWhenIdle(repo, {
      idleMs: 300,
      snapshotBytes: (doc) => Automerge.getBackend(doc).saveNoCompress(),
    });
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);
    await writeBatches(repo, handle.documentId, 6);
    await until(async () => (await chunkKinds(storage, handle.documentId)).incrementals === 0);

    const [snapshot] = await storage.loadRange([handle.documentId, 'snapshot']);
    const doc = handle.doc();
    expect(snapshot?.data).toEqual(Automerge.getBackend(doc).saveNoCompress());
    // The notes repeat themselves: compressed, the snapshot would be several times smaller.
    expect(snapshot!.data!.length).toBeGreaterThan(3 * Automerge.save(doc).length);
    const reloaded = await repoOn(storage).find<Notes>(handle.documentId);
    expect(reloaded.heads()).toEqual(handle.heads());
    expect(Object.keys(reloaded.doc().notes)).toHaveLength(300);
  });

  it('changes nothing once undone: upstream compacts inside the save again', async () => {
    const storage = freshStorage();
    const repo = repoOn(storage);
    compactWhenIdle(repo, { idleMs: 60_000 }).stop();
    const handle = repo.create<Notes>({ notes: {} });
    await repo.flush([handle.documentId]);
    await writeBatches(repo, handle.documentId, 6);
    expect((await chunkKinds(storage, handle.documentId)).incrementals).toBeLessThan(6);
  });
});
