// automerge-repo 2.5.6's Repo.removeFromCache unloads the handle, which empties its document, and
// the handle's save listener then stores that empty document over the real one: after a reload
// the document is gone. patches/@automerge+automerge-repo+2.5.6.patch detaches the listener first.
// The relay evicts idle documents with removeFromCache (src/server/eviction.ts).

import { Repo } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openPinaxDb } from '../db.ts';
import { DexieStorageAdapter } from './dexie-storage-adapter.ts';

describe('Repo.removeFromCache (patched)', () => {
  it('leaves the stored document whole', async () => {
    const db = openPinaxDb(`rfc-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    const storage = new DexieStorageAdapter(db.chunks);
    const repo = new Repo({ storage, network: [] });
    const handle = repo.create<{ lines: string[] }>({ lines: [] });
    for (let i = 0; i < 5; i++) {
      handle.change((doc) => {
        for (let j = 0; j < 20; j++) doc.lines.push(`line ${i}-${j}`);
      });
      await repo.flush([handle.documentId]);
    }
    await repo.removeFromCache(handle.documentId);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the throttled save, if any
    await repo.shutdown();
    const again = new Repo({ storage, network: [] });
    const copy = await again.find<{ lines: string[] }>(handle.url);
    expect(copy.doc().lines).toHaveLength(100);
    await again.shutdown();
    db.close();
  });
});
