// The relay's review of an editor's sync message to a collection document: each change it does not
// have yet must name its author truthfully (src/shared/access/authorship.ts), and nothing may build
// on a change it refused before. Either way the caller strips the message's changes (as for a
// non-writer, heads rewritten, so no storm): the forged change, and everything the peer later
// builds on it, reach no one.

import * as Automerge from '@automerge/automerge';
import { AUTHOR_KEY, forgesAuthor } from '../shared/access/authorship.ts';
import type { KnownChanges, RejectedMemory } from './strip-changes.ts';
import { CHANGE_CHUNK, decodedChangesOf, splitChunks } from './strip-changes.ts';

export type AuthorshipVerdict = 'ok' | 'forged' | 'builds-on-refused';

export function reviewAuthorship(
  data: Uint8Array,
  user: string,
  known: KnownChanges,
  refused: RejectedMemory,
): AuthorshipVerdict {
  const message = Automerge.decodeSyncMessage(data);
  const mentioned = [...message.heads, ...message.have.flatMap((have) => have.lastSync)];
  if (mentioned.some((hash) => refused.has(hash))) return 'builds-on-refused';
  for (const entry of message.changes) {
    for (const chunk of splitChunks(entry)) {
      // A plain change chunk stores its map keys as UTF-8: if its bytes never spell "author", no
      // operation in it touches that key, and with nothing refused it builds on no refusal either.
      // Decoding every change (its operations and values, into JavaScript) cost the relay about a
      // third more time per sync message; most edits never write an author.
      if (chunk.type === CHANGE_CHUNK && refused.size === 0 && !includes(chunk.bytes, AUTHOR_BYTES)) continue;
      for (const change of decodedChangesOf(chunk)) {
        if (known.has(change.hash)) continue; // the relay has it already: this peer is not its author
        if (change.deps.some((dep) => refused.has(dep))) return 'builds-on-refused';
        if (forgesAuthor(change.ops, user)) return 'forged';
      }
    }
  }
  return 'ok';
}

const AUTHOR_BYTES = Buffer.from(AUTHOR_KEY, 'utf8');

function includes(bytes: Uint8Array, needle: Buffer): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}
