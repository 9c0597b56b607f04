import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { describe, expect, it } from 'vitest';
import { SyncStateCoalescingAdapter } from './sync-state-coalescing.ts';

// Not run through automerge-repo's conformance suite: it expects ranges in write order, and a held
// sync state is written later than it was saved, by design. What the suite checks of reads,
// ranges and removals is checked here with sync states held. The engine and the relay run it over
// their real adapters (IndexedDB, files) in the e2e and relay tests.

describe('SyncStateCoalescingAdapter', () => {
  function setup(writeEveryMs: number) {
    const inner = new MemoryStorage();
    const saved: string[] = [];
    const counting: StorageAdapterInterface = {
      load: (key) => inner.load(key),
      save: (key, data) => {
        saved.push(key.join('/'));
        return inner.save(key, data);
      },
      remove: (key) => inner.remove(key),
      loadRange: (prefix) => inner.loadRange(prefix),
      removeRange: (prefix) => inner.removeRange(prefix),
    };
    return { inner, saved, adapter: new SyncStateCoalescingAdapter(counting, { writeEveryMs }) };
  }

  const syncKey = (doc: string) => [doc, 'sync-state', 'relay-storage'];
  const bytes = (n: number) => new Uint8Array([n]);

  it('writes a burst of sync states once, the latest of each, and reads it back meanwhile', async () => {
    const { inner, saved, adapter } = setup(50);
    for (let n = 1; n <= 20; n++) {
      await adapter.save(syncKey('doc-a'), bytes(n));
      await adapter.save(syncKey('doc-b'), bytes(100 + n));
    }
    expect(saved).toEqual([]);
    expect(await adapter.load(syncKey('doc-a'))).toEqual(bytes(20));
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(saved.sort()).toEqual(['doc-a/sync-state/relay-storage', 'doc-b/sync-state/relay-storage']);
    expect(await inner.load(syncKey('doc-a'))).toEqual(bytes(20));
    expect(await inner.load(syncKey('doc-b'))).toEqual(bytes(120));
  });

  it('stores everything else at once', async () => {
    const { inner, saved, adapter } = setup(60_000);
    await adapter.save(['doc-a', 'incremental', 'h1'], bytes(7));
    expect(saved).toEqual(['doc-a/incremental/h1']);
    expect(await inner.load(['doc-a', 'incremental', 'h1'])).toEqual(bytes(7));
  });

  it('a removal wins over a held sync state, and over one being written', async () => {
    const { inner, adapter } = setup(60_000);
    await adapter.save(syncKey('doc-a'), bytes(1));
    await adapter.remove(syncKey('doc-a'));
    expect(await adapter.load(syncKey('doc-a'))).toBeUndefined();
    await adapter.save(syncKey('doc-b'), bytes(2));
    const writing = adapter.flush();
    await adapter.removeRange(['doc-b']);
    await writing;
    expect(await inner.load(syncKey('doc-a'))).toBeUndefined();
    expect(await inner.load(syncKey('doc-b'))).toBeUndefined();
  });

  it('writes held sync states before a range read that covers them, newest value winning', async () => {
    const { inner, adapter } = setup(60_000);
    await inner.save(syncKey('doc-a'), bytes(1));
    await inner.save(['doc-a', 'sync-state', 'other-peer'], bytes(5));
    await adapter.save(syncKey('doc-a'), bytes(2));
    const range = await adapter.loadRange(['doc-a', 'sync-state']);
    const byKey = Object.fromEntries(range.map((chunk) => [chunk.key.join('/'), chunk.data?.[0]]));
    expect(byKey).toEqual({ 'doc-a/sync-state/relay-storage': 2, 'doc-a/sync-state/other-peer': 5 });
  });
});

/** Storage in a Map, with a turn of the event loop per call as a real store takes. */
class MemoryStorage implements StorageAdapterInterface {
  #data = new Map<string, Chunk>();

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    await tick();
    return this.#data.get(key.join('/'))?.data;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await tick();
    this.#data.set(key.join('/'), { key, data });
  }

  async remove(key: StorageKey): Promise<void> {
    await tick();
    this.#data.delete(key.join('/'));
  }

  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    await tick();
    return [...this.#data.values()].filter(({ key }) => prefix.every((part, i) => key[i] === part));
  }

  async removeRange(prefix: StorageKey): Promise<void> {
    for (const { key } of await this.loadRange(prefix)) this.#data.delete(key.join('/'));
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
