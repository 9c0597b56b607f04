// Builds the engine's Automerge Repo. Automerge's wasm is loaded explicitly (no top-level await in
// the worker graph, which would swallow the SharedWorker's first connect event).

import { Repo, initializeWasm } from '@automerge/automerge-repo/slim';
import type {
  NetworkAdapterInterface,
  PeerId,
  StorageAdapterInterface,
} from '@automerge/automerge-repo/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { Automerge } from '@automerge/automerge-repo/slim';
import { useConflictReader } from './domain/collection-doc.ts';

/**
 * The wasm is fetched and compiled at once; the Repo itself (which starts loading documents and
 * connecting) only once `startAfter` resolves.
 */
export async function createRepo(
  storage: StorageAdapterInterface,
  network: NetworkAdapterInterface[],
  startAfter: Promise<unknown> = Promise.resolve(),
): Promise<Repo> {
  await initializeWasm(wasmUrl);
  await startAfter;
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
  return new Repo({
    storage,
    network,
    peerId: `pinax-${crypto.randomUUID()}` as PeerId,
    // Announce our documents to the relay and to sibling engines; the relay itself never announces.
    sharePolicy: () => Promise.resolve(true),
  });
}
