// storedWholeDocument: when the relay may send a document's stored snapshot as it is, against an
// in-memory storage adapter holding the chunks automerge-repo would write.

import * as Automerge from '@automerge/automerge';
import type { Chunk, DocumentId, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { storedWholeDocument } from './snapshot.ts';

const ID = 'docid' as DocumentId;

describe('storedWholeDocument', () => {
  it('is the snapshot when it is the only chunk', async () => {
    const { doc, bytes } = savedDoc();
    const storage = new MemoryStorage([[ID, 'snapshot', headsName(doc)], bytes]);
    expect(await storedWholeDocument(storage, ID)).toEqual(bytes);
  });

  it('needs the heads of the document in memory to be those it was saved at', async () => {
    const { doc, bytes } = savedDoc();
    const storage = new MemoryStorage([[ID, 'snapshot', headsName(doc)], bytes]);
    expect(await storedWholeDocument(storage, ID, Automerge.getHeads(doc))).toEqual(bytes);
    const later = Automerge.change(doc, (d) => void (d.title = 'later'));
    expect(await storedWholeDocument(storage, ID, Automerge.getHeads(later))).toBeUndefined();
  });

  it('is nothing with incremental chunks beside it, or two snapshots, or none', async () => {
    const { doc, bytes } = savedDoc();
    const name = headsName(doc);
    const withIncremental = new MemoryStorage(
      [[ID, 'snapshot', name], bytes],
      [[ID, 'incremental', 'x'], Automerge.saveIncremental(doc)],
    );
    expect(await storedWholeDocument(withIncremental, ID)).toBeUndefined();
    const two = new MemoryStorage([[ID, 'snapshot', name], bytes], [[ID, 'snapshot', 'other'], bytes]);
    expect(await storedWholeDocument(two, ID)).toBeUndefined();
    const onlySyncState = new MemoryStorage([[ID, 'sync-state', 'peer'], new Uint8Array([1])]);
    expect(await storedWholeDocument(onlySyncState, ID)).toBeUndefined();
  });

  it('ignores sync states and other documents', async () => {
    const { doc, bytes } = savedDoc();
    const storage = new MemoryStorage(
      [[ID, 'snapshot', headsName(doc)], bytes],
      [[ID, 'sync-state', 'peer'], new Uint8Array([1])],
      [['other', 'incremental', 'y'], new Uint8Array([2])],
    );
    expect(await storedWholeDocument(storage, ID)).toEqual(bytes);
  });
});

function savedDoc() {
  const doc = Automerge.from<{ title: string }>({ title: 'first' });
  return { doc, bytes: Automerge.save(doc) };
}

/** How automerge-repo names a snapshot: SHA-256 of the heads' hex strings, concatenated. */
function headsName(doc: Automerge.Doc<unknown>): string {
  return createHash('sha256').update(Automerge.getHeads(doc).join('')).digest('hex');
}

class MemoryStorage implements StorageAdapterInterface {
  #chunks: Chunk[];

  constructor(...entries: Array<[StorageKey, Uint8Array]>) {
    this.#chunks = entries.map(([key, data]) => ({ key, data }));
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#chunks.find((c) => c.key.join('/') === key.join('/'))?.data);
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.#chunks.push({ key, data });
    return Promise.resolve();
  }

  remove(key: StorageKey): Promise<void> {
    this.#chunks = this.#chunks.filter((c) => c.key.join('/') !== key.join('/'));
    return Promise.resolve();
  }

  loadRange(prefix: StorageKey): Promise<Chunk[]> {
    return Promise.resolve(this.#chunks.filter((c) => prefix.every((part, i) => c.key[i] === part)));
  }

  removeRange(prefix: StorageKey): Promise<void> {
    this.#chunks = this.#chunks.filter((c) => !prefix.every((part, i) => c.key[i] === part));
    return Promise.resolve();
  }
}
