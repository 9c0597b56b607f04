// The engine's storage with compaction snapshots deflated by CompressionStream: it passes
// automerge-repo's adapter conformance suite, stores its own snapshots deflated and much smaller,
// loads them (and snapshots stored before it, and the relay's) into the same document, and leaves a
// damaged one for Automerge to refuse rather than loading the document without it.

import * as Automerge from '@automerge/automerge';
import { ImmutableString, Repo } from '@automerge/automerge-repo';
import type { DocumentId } from '@automerge/automerge-repo';
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { compactWhenIdle } from '../../shared/idle-compaction.ts';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { openPinaxDb } from '../db.ts';
import { DeflatedSnapshotsAdapter, isPacked } from './deflated-snapshots.ts';
import { DexieStorageAdapter } from './dexie-storage-adapter.ts';

type Notes = {
  notes: Record<string, ImmutableString>;
};

runStorageAdapterTests(async () => {
  const db = openPinaxDb(`deflated-${crypto.randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  await db.open();
  return {
    adapter: new DeflatedSnapshotsAdapter(new DexieStorageAdapter(db.chunks)),
    teardown: () => db.close(),
  };
}, 'DeflatedSnapshotsAdapter');

describe('DeflatedSnapshotsAdapter', () => {
  const cleanups = cleanupsAfterEach();

  function storages(): { stored: DexieStorageAdapter; deflating: DeflatedSnapshotsAdapter } {
    const db = openPinaxDb(`deflated-${crypto.randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    cleanups.push(() => Promise.resolve(db.close()));
    const stored = new DexieStorageAdapter(db.chunks);
    return { stored, deflating: new DeflatedSnapshotsAdapter(stored) };
  }

  function repoOn(storage: DeflatedSnapshotsAdapter): Repo {
    const repo = new Repo({ storage, network: [] });
    cleanups.push(() => repo.shutdown());
    return repo;
  }

  it('stores a compaction snapshot deflated, and it loads into the same document', async () => {
    const { stored, deflating } = storages();
    const repo = repoOn(deflating);
    compactWhenIdle(repo, { idleMs: 200, snapshotBytes: (doc) => deflating.snapshotOf(doc) });
    const handle = repo.create<Notes>({ notes: {} });
    for (let batch = 0; batch < 6; batch++) {
      handle.change((doc) => {
        for (let i = 0; i < 200; i++)
          doc.notes[`${batch}-${i}`] = new ImmutableString(`note ${batch}/${i} `.repeat(20));
      });
      await repo.flush([handle.documentId]);
    }
    // Some batches are saved while an earlier compaction is still deflating: those are compacted
    // once it is done (src/shared/idle-compaction.ts asks again), so none stays incremental.
    await until(async () => (await stored.loadRange([handle.documentId, 'incremental'])).length === 0);

    const [snapshot] = await stored.loadRange([handle.documentId, 'snapshot']);
    expect(isPacked(snapshot!.data!)).toBe(true);
    const uncompressed = Automerge.getBackend(handle.doc()).saveNoCompress();
    expect(snapshot!.data!.length).toBeLessThan(uncompressed.length / 3);
    // Read back through the adapter: Automerge's own uncompressed encoding, byte for byte.
    const [read] = await deflating.loadRange([handle.documentId, 'snapshot']);
    expect(read!.data).toEqual(uncompressed);

    const reloaded = await repoOn(deflating).find<Notes>(handle.documentId);
    expect(reloaded.heads()).toEqual(handle.heads());
    expect(Object.keys(reloaded.doc().notes)).toHaveLength(1200);
  });

  it('stores any other snapshot as it comes, and reads ones stored before it as they are', async () => {
    const { stored, deflating } = storages();
    const doc = Automerge.from<Notes>({ notes: { a: new ImmutableString('b') } });
    const saved = Automerge.save(doc);
    const id = 'someDocument' as DocumentId;
    await deflating.save([id, 'snapshot', 'bootstrap'], saved); // say, downloaded from the relay
    expect(await stored.load([id, 'snapshot', 'bootstrap'])).toEqual(saved);
    expect(await deflating.load([id, 'snapshot', 'bootstrap'])).toEqual(saved);
    // Not a snapshot of its own even when it is the same bytes: only snapshotOf's arrays are deflated.
    const uncompressed = Automerge.getBackend(doc).saveNoCompress();
    await deflating.save([id, 'snapshot', 'copy'], Uint8Array.from(uncompressed));
    expect(await stored.load([id, 'snapshot', 'copy'])).toEqual(uncompressed);
  });

  it('hands a damaged deflated snapshot on as stored, for Automerge to refuse', async () => {
    const { stored, deflating } = storages();
    const doc = Automerge.from<Notes>({ notes: { a: new ImmutableString('b') } });
    const id = 'someDocument' as DocumentId;
    await deflating.save([id, 'snapshot', 'x'], deflating.snapshotOf(doc));
    const packed = (await stored.load([id, 'snapshot', 'x']))!;
    expect(isPacked(packed)).toBe(true);
    const damaged = Uint8Array.from(packed.subarray(0, packed.length - 2));
    damaged[6] = damaged[6]! ^ 0xff;
    await stored.save([id, 'snapshot', 'x'], damaged);
    const read = (await deflating.load([id, 'snapshot', 'x']))!;
    expect(read).toEqual(damaged);
    expect(() => Automerge.load(read)).toThrow();
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
