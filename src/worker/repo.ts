// Builds the engine's Automerge Repo. Automerge's wasm is loaded explicitly (no top-level await in
// the worker graph, which would swallow the SharedWorker's first connect event).

import { Repo, initializeWasm } from '@automerge/automerge-repo/slim';
import type {
  NetworkAdapterInterface,
  PeerId,
  StorageAdapterInterface,
} from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { milestone } from './milestones.ts';
import type { AutomergeWasm } from './wasm-module.ts';
import { useConflictReader } from './domain/collection-doc.ts';

/**
 * Instantiates Automerge from `wasm` (compiling since the worker started, wasm-module.ts) at once;
 * the Repo itself (which starts loading documents and connecting) only once `startAfter` resolves.
 */
export async function createRepo(
  storage: StorageAdapterInterface,
  network: NetworkAdapterInterface[],
  wasm: Promise<AutomergeWasm>,
  startAfter: Promise<unknown> = Promise.resolve(),
): Promise<Repo> {
  // Automerge's typings leave out WebAssembly.Module, which wasm-bindgen's loader (__wbg_load)
  // instantiates as it is.
  await initializeWasm((await wasm) as string);
  milestone('wasm-ready');
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
