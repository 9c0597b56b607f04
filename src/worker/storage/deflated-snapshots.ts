// Compaction snapshots, deflated by the platform instead of inside Automerge. `Automerge.save`
// deflates each column in wasm, synchronously: for a 10,000-item collection ~90% of the compaction,
// one block of ~0.5-0.75 s holding the engine (a search typed then waits for it). Here the
// compaction saves without compression (~70-140 ms), and this adapter deflates the bytes with
// CompressionStream on their way to storage, one slice per task, so commands, searches and sync
// messages run between slices. Loading inflates them with DecompressionStream (native) and
// Automerge then loads uncompressed columns, with nothing left to inflate: a cold start that loads
// a 10k-item collection to rebuild its search index measured 7-9% sooner.
//
// Only the snapshots handed out by `snapshotOf` are deflated here. Everything else, including a
// snapshot downloaded from the relay (already compressed by Automerge), is stored as it comes;
// stored data without the PACKED prefix, such as every snapshot written before this existed, is
// read as it is.

import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';
import { nextTask } from '../next-task.ts';

export class DeflatedSnapshotsAdapter implements StorageAdapterInterface {
  #inner: StorageAdapterInterface;
  /** Snapshots from snapshotOf not saved yet: the bytes to deflate on their way down. */
  #toDeflate = new WeakSet<Uint8Array>();

  constructor(inner: StorageAdapterInterface) {
    this.#inner = inner;
  }

  /** The uncompressed snapshot of `doc`, for the compaction: save() deflates it. */
  snapshotOf(doc: Automerge.Doc<unknown>): Uint8Array {
    const bytes = Automerge.getBackend(doc).saveNoCompress();
    this.#toDeflate.add(bytes);
    return bytes;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    if (!this.#toDeflate.has(data)) return this.#inner.save(key, data);
    this.#toDeflate.delete(data);
    return this.#inner.save(key, await packed(data));
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const data = await this.#inner.load(key);
    return data && unpacked(data);
  }

  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const chunks = await this.#inner.loadRange(prefix);
    return Promise.all(
      chunks.map(async (chunk) => (chunk.data ? { ...chunk, data: await unpacked(chunk.data) } : chunk)),
    );
  }

  remove(key: StorageKey): Promise<void> {
    return this.#inner.remove(key);
  }

  removeRange(prefix: StorageKey): Promise<void> {
    return this.#inner.removeRange(prefix);
  }
}

/** Whether `data` is a snapshot this adapter deflated. */
export function isPacked(data: Uint8Array): boolean {
  return PACKED.every((byte, i) => data[i] === byte);
}

// ---- helpers ----

/**
 * Marks a deflated snapshot ("PXD" and a format version). Automerge's chunks start with 85 6f 4a 83,
 * so no chunk Automerge wrote is mistaken for one.
 */
const PACKED = [0x50, 0x58, 0x44, 0x01] as const;
/**
 * Deflated per task. Chromium's deflate is slower than Automerge's (a 10k-item collection's 11 MB
 * took ~1.0 s of engine time against ~0.75 s inside Automerge.save, profiled) but no slice holds the
 * engine for more than a few milliseconds: 128 KB slices took ~12 ms each.
 */
const SLICE_BYTES = 32 * 1024;
const log = makeLogger('pinax:storage');

async function packed(data: Uint8Array): Promise<Uint8Array> {
  const stream = new CompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const output = new Response(stream.readable).arrayBuffer();
  for (let at = 0; at < data.length; at += SLICE_BYTES) {
    await writer.write(data.slice(at, at + SLICE_BYTES));
    await nextTask();
  }
  await writer.close();
  const deflated = new Uint8Array(await output);
  const out = new Uint8Array(PACKED.length + deflated.length);
  out.set(PACKED);
  out.set(deflated, PACKED.length);
  return out;
}

async function unpacked(data: Uint8Array): Promise<Uint8Array> {
  if (!isPacked(data)) return data;
  try {
    const stream = new Blob([data.slice(PACKED.length)])
      .stream()
      .pipeThrough(new DecompressionStream('deflate-raw'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    // Left to Automerge to refuse, as it refuses any damaged chunk: the document then fails to load
    // from this chunk instead of loading without it.
    // (Not naming it: a document id is a read capability, and stays out of logs.)
    log.error('could not inflate a stored snapshot', error);
    return data;
  }
}
