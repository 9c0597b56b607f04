// Builds the engine's Automerge Repo. Automerge's wasm is loaded explicitly (no top-level await in
// the worker graph, which would swallow the SharedWorker's first connect event).

import { Repo, initializeWasm } from '@automerge/automerge-repo/slim';
import type { NetworkAdapterInterface, PeerId } from '@automerge/automerge-repo/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { Automerge } from '@automerge/automerge-repo/slim';
import type { PinaxDb } from './db.ts';
import { useConflictReader } from './domain/collection-doc.ts';
import { CompactingStorageAdapter } from './storage/compacting-storage.ts';
import { DexieStorageAdapter } from './storage/dexie-storage-adapter.ts';

export async function createRepo(db: PinaxDb, network: NetworkAdapterInterface[]): Promise<Repo> {
  await initializeWasm(wasmUrl);
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
  return new Repo({
    storage: new CompactingStorageAdapter(new DexieStorageAdapter(db.chunks)),
    network,
    peerId: `pinax-${crypto.randomUUID()}` as PeerId,
    // Announce our documents to the relay and to sibling engines; the relay itself never announces.
    sharePolicy: () => Promise.resolve(true),
  });
}
