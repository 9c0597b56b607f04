// The relay's review of an editor's sync message to a collection or body document: each change it
// does not have yet must name its author truthfully, in its message (src/shared/access/
// authorship.ts), and in a collection, in any item's `author` it sets. Nothing may build on a change
// refused before. On any other verdict the caller strips the message's changes (as for a
// non-writer, heads rewritten, so no storm): the refused change, and everything the peer later
// builds on it, reach no one.

import * as Automerge from '@automerge/automerge';
import { createHash } from 'node:crypto';
import type { ChangeOperation } from '../shared/access/authorship.ts';
import { AUTHOR_KEY, claimedAuthor, forgesAuthor } from '../shared/access/authorship.ts';
import { changeHeaderOf, type ChangeHeader } from '../shared/sync/change-header.ts';
import { operationsOnKey } from '../shared/sync/change-key-ops.ts';
import type { KnownChanges, RejectedMemory } from '../shared/sync/strip-changes.ts';
import { decodedChangesOf, splitChunks } from '../shared/sync/strip-changes.ts';

export type AuthorshipVerdict = 'ok' | 'unclaimed' | 'forged' | 'builds-on-refused';

/** The kind of document the message is for: only collections hold items with an `author`. */
export type ReviewedPart = 'collection' | 'body';

export function reviewAuthorship(
  data: Uint8Array,
  user: string,
  known: KnownChanges,
  refused: RejectedMemory,
  part: ReviewedPart = 'collection',
): AuthorshipVerdict {
  const message = Automerge.decodeSyncMessage(data);
  const mentioned = [...message.heads, ...message.have.flatMap((have) => have.lastSync)];
  if (mentioned.some((hash) => refused.has(hash))) return 'builds-on-refused';
  for (const entry of message.changes) {
    for (const chunk of splitChunks(entry)) {
      for (const change of reviewedChanges(chunk)) {
        if (change.deps.some((dep) => refused.has(dep))) return 'builds-on-refused';
        const claimed = claimedAuthor(change.message);
        if (claimed === user) {
          if (part === 'collection' && forgesAuthor(change.operations(), user)) return 'forged';
          continue;
        }
        // Named someone else, or no one: fine only for a change the relay has already (a peer
        // sending it again is not its author). Checked last: looking a change up costs ~25 us.
        if (known.has(change.hash())) continue;
        if (claimed === undefined) {
          if (part === 'body' && isBodySeed(change)) continue;
          return 'unclaimed';
        }
        return 'forged';
      }
    }
  }
  return 'ok';
}

// ---- helpers ----

interface ReviewedChange extends Omit<ChangeHeader, 'end'> {
  hash(): string;
  /** The change's operations on `author` (at least), read on demand. */
  operations(): readonly ChangeOperation[];
}

/**
 * The changes of one chunk. A plain change is read from its header, and its operations are read
 * only when the bytes after its header spell "author" (the header's message does: "pinax-author"):
 * a chunk stores its map keys as UTF-8, so without those bytes no operation touches that key.
 * Most edits never write an item's author, and decoding every change (its operations and values,
 * into JavaScript) cost the relay about a third more time per sync message. Imports do write it,
 * on every item: their operations on `author` are read from the columns (change-key-ops.ts), 4-9 ms
 * for a 1,000-item batch where decodeChange took 65-83 ms.
 */
function reviewedChanges(chunk: { type: number; bytes: Uint8Array }): ReviewedChange[] {
  const header = changeHeaderOf(chunk.bytes);
  if (!header) {
    return decodedChangesOf(chunk).map((change) => ({
      deps: change.deps,
      time: change.time,
      message: change.message ?? null,
      hash: () => change.hash,
      operations: () => change.ops,
    }));
  }
  const namesAuthor = includes(chunk.bytes.subarray(header.end), AUTHOR_BYTES);
  return [
    {
      ...header,
      // A change's hash is the SHA-256 of its chunk from the type byte on.
      hash: () => createHash('sha256').update(chunk.bytes.subarray(8)).digest('hex'),
      // Read from the change's columns; Automerge decodes (every operation and value) only a change
      // that reader cannot vouch for.
      operations: () =>
        namesAuthor
          ? (operationsOnKey(chunk.bytes, header, AUTHOR_KEY) ?? Automerge.decodeChange(chunk.bytes).ops)
          : [],
    },
  ];
}

/**
 * A body document's first change names no author on purpose: every device that starts editing the
 * same body creates it byte for byte the same (src/worker/bodies.ts), with no dependencies and time
 * 0. Only members who may edit the collection reach this review at all.
 */
function isBodySeed(change: Pick<ChangeHeader, 'deps' | 'time'>): boolean {
  return change.deps.length === 0 && change.time === 0;
}

const AUTHOR_BYTES = Buffer.from(AUTHOR_KEY, 'utf8');

function includes(bytes: Uint8Array, needle: Buffer): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}
