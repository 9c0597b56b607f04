// Removes the changes from a sync message a peer may not make, without starting a message storm.
// Dropping the message, or just its changes, is not enough: the peer's later messages still name
// the rejected changes in their heads, the relay keeps asking for them, the peer keeps sending
// them, and the two ping-pong thousands of messages (measured in a trial on automerge-repo 2.5.6).
// So the heads (and each `have[].lastSync`) are rewritten as if the peer had never made those
// changes: every hash the relay does not know is replaced by the dependencies of the rejected
// change it names (remembered across messages), reduced to true heads.
// A head the relay has never seen the change of stays, so that the relay asks for it by `need`:
// left to the Bloom filter of the relay's `have`, a false positive (about 1 in 100) made the peer
// believe the relay had it, and the two exchanged the same pair of messages forever.
//
// The rejected changes stay on the peer's device; nothing of them reaches storage or other peers.

import { Automerge } from '@automerge/automerge-repo/slim';
import { ByteReader } from './byte-reader.ts';

/** What the relay knows of the document: whether it has a change, and its dependencies. */
export interface KnownChanges {
  has(hash: string): boolean;
  depsOf(hash: string): string[] | undefined;
}

/** Rejected change hash -> its dependencies, per document; bounded by the caller. */
export type RejectedMemory = Map<string, string[]>;

/** What rewriting heads needs of the refused changes: what each built on. */
export type RefusedDeps = Pick<RejectedMemory, 'get'>;

export interface Stripped {
  /** The sync message without changes, heads rewritten; undefined when it needed neither. */
  data: Uint8Array | undefined;
  /** How many changes were removed. */
  rejected: number;
}

export function stripChanges(data: Uint8Array, known: KnownChanges, memory: RejectedMemory): Stripped {
  const message = Automerge.decodeSyncMessage(data);
  // Messages without changes matter too: they still name the refused changes in their heads.
  const mentioned = [...message.heads, ...message.have.flatMap((have) => have.lastSync)];
  if (message.changes.length === 0 && mentioned.every((hash) => known.has(hash)))
    return { data: undefined, rejected: 0 };
  let rejected = 0;
  for (const entry of message.changes) {
    for (const change of decodedChangesIn(entry)) {
      // A change it already has is not refused, only sent again (a peer resends what it believes
      // the relay lacks). Remembered as refused, every later message naming it would be refused
      // as building on it, from every peer.
      if (known.has(change.hash)) continue;
      memory.set(change.hash, change.deps);
      rejected++;
    }
  }
  return { data: rewriteSyncMessage(message, [], known, memory), rejected };
}

/**
 * `message` with only `changes`, its heads (and each `have[].lastSync`) rewritten as if its sender
 * had never made the changes in `memory`: each such hash is replaced by what it built on.
 */
export function rewriteSyncMessage(
  message: Automerge.DecodedSyncMessage,
  changes: Uint8Array[],
  known: KnownChanges,
  memory: RefusedDeps,
): Uint8Array {
  const rewrite = (hashes: readonly string[], unseen: 'keep' | 'drop'): string[] =>
    trueHeads(unique(hashes.flatMap((hash) => resolve(hash, known, memory, unseen, new Set()))), known);
  return Automerge.encodeSyncMessage({
    heads: rewrite(message.heads, 'keep'),
    need: message.need,
    // A `lastSync` the receiver does not know makes it reset the sync state: never keep one there.
    have: message.have.map((have) => ({ ...have, lastSync: rewrite(have.lastSync, 'drop') })),
    changes,
  });
}

/** KnownChanges over an Automerge document. */
export function knownChangesOf(doc: Automerge.Doc<unknown>): KnownChanges {
  const backend = Automerge.getBackend(doc);
  return {
    has: (hash) => backend.getChangeByHash(hash) != null,
    depsOf: (hash) => {
      const change = backend.getChangeByHash(hash);
      return change ? Automerge.decodeChange(change).deps : undefined;
    },
  };
}

/** Splits a changes entry into its chunks: several changes can be joined, or a whole document. */
export function splitChunks(bytes: Uint8Array): Array<{ type: number; bytes: Uint8Array }> {
  const chunks: Array<{ type: number; bytes: Uint8Array }> = [];
  let at = 0;
  while (at < bytes.length) {
    if (MAGIC.some((byte, i) => bytes[at + i] !== byte)) throw new Error('not an Automerge chunk');
    const type = bytes[at + 8];
    if (type === undefined) throw new Error('truncated chunk');
    const header = new ByteReader(bytes, at + 9);
    const length = header.uleb();
    const end = header.at + length;
    if (end > bytes.length) throw new Error('truncated chunk');
    chunks.push({ type, bytes: bytes.subarray(at, end) });
    at = end;
  }
  return chunks;
}

/** Every change in a sync message's changes entry, decoded (whatever chunks it is made of). */
export function decodedChangesIn(entry: Uint8Array): Automerge.DecodedChange[] {
  return splitChunks(entry).flatMap(decodedChangesOf);
}

/** The changes of one chunk: a change, or every change of a whole document. */
export function decodedChangesOf(chunk: { type: number; bytes: Uint8Array }): Automerge.DecodedChange[] {
  return chunk.type === DOCUMENT_CHUNK
    ? Automerge.getAllChanges(Automerge.load(chunk.bytes)).map((change) => Automerge.decodeChange(change))
    : [Automerge.decodeChange(chunk.bytes)];
}

// ---- helpers ----

const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const DOCUMENT_CHUNK = 0;
/** Ancestry walks stop here: beyond it, heads are kept as they are (rare, and only less tidy). */
const MAX_WALK = 10_000;

/**
 * A hash as the relay can see it: itself if known, else what the rejected change built on. A hash
 * of a change not seen yet is kept or dropped as `unseen` says.
 */
function resolve(
  hash: string,
  known: KnownChanges,
  memory: RefusedDeps,
  unseen: 'keep' | 'drop',
  seen: Set<string>,
): string[] {
  if (known.has(hash)) return [hash];
  if (seen.has(hash)) return [];
  seen.add(hash);
  const deps = memory.get(hash);
  if (!deps) return unseen === 'keep' ? [hash] : [];
  return deps.flatMap((dep) => resolve(dep, known, memory, unseen, seen));
}

/** Drops every hash that is an ancestor of another one in the set. */
function trueHeads(hashes: string[], known: KnownChanges): string[] {
  if (hashes.length < 2) return hashes;
  const ancestors = new Set<string>();
  const queue = hashes.flatMap((hash) => known.depsOf(hash) ?? []);
  let walked = 0;
  while (queue.length > 0) {
    if (++walked > MAX_WALK) return hashes;
    const hash = queue.pop()!;
    if (ancestors.has(hash)) continue;
    ancestors.add(hash);
    queue.push(...(known.depsOf(hash) ?? []));
  }
  return hashes.filter((hash) => !ancestors.has(hash));
}

function unique(hashes: string[]): string[] {
  return [...new Set(hashes)].sort();
}
