import { Repo, type AutomergeUrl } from '@automerge/automerge-repo';
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openPinaxDb, type PinaxDb } from '../db.ts';
import { DexieStorageAdapter } from './dexie-storage-adapter.ts';

// Each test gets its own in-memory IndexedDB (a fresh factory) and a unique database name, so no
// state leaks between tests even if a teardown were skipped.
function freshDb(): { db: PinaxDb; reopen: () => PinaxDb } {
  const options = { indexedDB: new IDBFactory(), IDBKeyRange };
  const name = `pinax-test-${crypto.randomUUID()}`;
  return { db: openPinaxDb(name, options), reopen: () => openPinaxDb(name, options) };
}

async function destroy(db: PinaxDb): Promise<void> {
  db.close();
  await db.delete();
}

runStorageAdapterTests(async () => {
  const { db } = freshDb();
  await db.open();
  return { adapter: new DexieStorageAdapter(db.chunks), teardown: () => destroy(db) };
}, 'DexieStorageAdapter');

describe('DexieStorageAdapter', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function setup(): { db: PinaxDb; adapter: DexieStorageAdapter; reopen: () => PinaxDb } {
    const { db, reopen } = freshDb();
    cleanups.push(() => destroy(db));
    return { db, adapter: new DexieStorageAdapter(db), reopen };
  }

  const bytes = (...values: number[]) => new Uint8Array(values);

  it('matches whole key parts only: the prefix ["a"] does not match ["ab"]', async () => {
    const { adapter } = setup();
    await adapter.save(['a'], bytes(1));
    await adapter.save(['a', 'x'], bytes(2));
    await adapter.save(['a', 'x', 'y'], bytes(3));
    await adapter.save(['a', '\uffff\uffff'], bytes(4));
    await adapter.save(['ab'], bytes(5));
    await adapter.save(['ab', 'x'], bytes(6));
    await adapter.save(['', 'x'], bytes(7));
    await adapter.save(['b'], bytes(8));

    const keys = async (prefix: string[]) => (await adapter.loadRange(prefix)).map((c) => c.key);
    expect(await keys(['a'])).toEqual([['a'], ['a', 'x'], ['a', 'x', 'y'], ['a', '\uffff\uffff']]);
    expect(await keys(['a', 'x'])).toEqual([
      ['a', 'x'],
      ['a', 'x', 'y'],
    ]);
    expect(await keys(['ab'])).toEqual([['ab'], ['ab', 'x']]);
    expect(await keys(['c'])).toEqual([]);

    await adapter.removeRange(['a']);
    expect(await keys(['a'])).toEqual([]);
    expect(await adapter.load(['ab'])).toEqual(bytes(5));
    expect(await keys(['ab'])).toHaveLength(2);
    expect(await adapter.load(['', 'x'])).toEqual(bytes(7));
    expect(await adapter.load(['b'])).toEqual(bytes(8));
  });

  it('queries an IDBKeyRange from the prefix to [...prefix, []], not the whole table', async () => {
    const { adapter } = setup();
    await adapter.save(['a', 'x'], bytes(1));
    const bound = vi.spyOn(IDBKeyRange, 'bound');
    const range = [['a'], ['a', []], false, false];
    try {
      expect(await adapter.loadRange(['a'])).toHaveLength(1);
      expect(bound.mock.calls).toEqual([range]);
      // Dexie's DBCore middlewares may build the range more than once for a delete; every one must
      // be this bounded range (a full scan would show no bound() call, or a wider one).
      await adapter.removeRange(['a']);
      expect(bound.mock.calls.length).toBeGreaterThan(1);
      for (const call of bound.mock.calls) expect(call).toEqual(range);
    } finally {
      bound.mockRestore();
    }
    expect(await adapter.load(['a', 'x'])).toBeUndefined();
  });

  it('stores a view into a larger buffer as a compact copy', async () => {
    const { adapter } = setup();
    const big = new Uint8Array(64 * 1024).fill(9);
    big.set([1, 2, 3], 100);
    const view = big.subarray(100, 103);

    await adapter.save(['doc', 'snapshot', 'h'], view);
    const loaded = await adapter.load(['doc', 'snapshot', 'h']);

    expect(loaded).toEqual(bytes(1, 2, 3));
    // Without the copy the whole 64 KiB buffer would have been cloned into the database.
    expect(loaded?.byteOffset).toBe(0);
    expect(loaded?.buffer.byteLength).toBe(3);
    // The caller's buffer is untouched and not aliased.
    expect(big[100]).toBe(1);
  });

  it('rejects with a clear message when the database is closed', async () => {
    const { db, adapter } = setup();
    await adapter.save(['k'], bytes(1));
    db.close({ disableAutoOpen: true });
    await expect(adapter.load(['k'])).rejects.toThrow(
      /DexieStorageAdapter\.load\(\["k"\]\) failed: DatabaseClosedError/,
    );
    await expect(adapter.save(['k'], bytes(2))).rejects.toThrow(/DexieStorageAdapter\.save/);
    await expect(adapter.loadRange(['k'])).rejects.toThrow(/DexieStorageAdapter\.loadRange/);
    await expect(adapter.removeRange(['k'])).rejects.toThrow(/DexieStorageAdapter\.removeRange/);
  });

  it('round-trips a document through a Repo and a second Repo on the same database', async () => {
    const { db, adapter, reopen } = setup();
    const repo = new Repo({ storage: adapter });
    const handle = repo.create<{ title: string; items: string[] }>({ title: 'Books', items: [] });
    handle.change((d) => {
      d.items.push('Dune');
    });
    const url: AutomergeUrl = handle.url;
    await repo.flush();
    await repo.shutdown();
    db.close();

    // A second connection to the same database, as after a reload.
    const db2 = reopen();
    cleanups.push(() => db2.close());
    const repo2 = new Repo({ storage: new DexieStorageAdapter(db2) });
    const handle2 = await repo2.find<{ title: string; items: string[] }>(url);
    expect(handle2.doc()).toEqual({ title: 'Books', items: ['Dune'] });
    await repo2.shutdown();
  });
});
