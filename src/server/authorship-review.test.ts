// The relay's authorship review on sync messages made in-process: which new changes an editor may
// send, and that a change the relay already has is never held against the peer sending it again.

import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { authored } from '../shared/access/authored.ts';
import { knownChangesOf } from '../shared/sync/strip-changes.ts';
import { reviewAuthorship } from './authorship-review.ts';

type Doc = { notes: string[] };

const bea = 'did:key:z6MkBea';
const cleo = 'did:key:z6MkCleo';

/** A sync message carrying exactly `changes`. */
function messageWith(doc: Automerge.Doc<Doc>, changes: Uint8Array[]): Uint8Array {
  return Automerge.encodeSyncMessage({ heads: Automerge.getHeads(doc), need: [], have: [], changes });
}

function lastChange(doc: Automerge.Doc<Doc>): Uint8Array {
  return Automerge.getLastLocalChange(doc)!;
}

describe('reviewAuthorship', () => {
  const base = Automerge.change(Automerge.init<Doc>(), authored(bea), (d) => void (d.notes = []));

  it('accepts an editor’s change naming that editor, and refuses one naming someone else or no one', () => {
    const known = knownChangesOf(base);
    const byBea = Automerge.change(Automerge.clone(base), authored(bea), (d) => void d.notes.push('mine'));
    const asCleo = Automerge.change(
      Automerge.clone(base),
      authored(cleo),
      (d) => void d.notes.push('not mine'),
    );
    const unnamed = Automerge.change(Automerge.clone(base), (d) => void d.notes.push('no one'));
    const review = (doc: Automerge.Doc<Doc>) =>
      reviewAuthorship(messageWith(doc, [lastChange(doc)]), bea, known, new Map());
    expect(review(byBea)).toBe('ok');
    expect(review(asCleo)).toBe('forged');
    expect(review(unnamed)).toBe('unclaimed');
  });

  it('does not hold a change the relay has against the peer that sends it again', () => {
    const byCleo = Automerge.change(
      Automerge.clone(base),
      authored(cleo),
      (d) => void d.notes.push('by Cleo'),
    );
    const message = messageWith(byCleo, [lastChange(byCleo)]);
    // Bea forwards Cleo's change: fine when the relay holds it (found by its hash), not otherwise.
    expect(reviewAuthorship(message, bea, knownChangesOf(byCleo), new Map())).toBe('ok');
    expect(reviewAuthorship(message, bea, knownChangesOf(base), new Map())).toBe('forged');
  });

  it('lets a body document’s seed through, in a body document only', () => {
    const seed = Automerge.change(Automerge.init<Doc>({ actor: 'b0d7' }), { time: 0 }, (d) => {
      d.notes = ['seed'];
    });
    const nothing = knownChangesOf(Automerge.init<Doc>());
    const message = messageWith(seed, [lastChange(seed)]);
    expect(reviewAuthorship(message, bea, nothing, new Map(), 'body')).toBe('ok');
    expect(reviewAuthorship(message, bea, nothing, new Map(), 'collection')).toBe('unclaimed');
  });

  it('refuses a change built on one it refused before', () => {
    const refused = Automerge.change(
      Automerge.clone(base),
      authored(cleo),
      (d) => void d.notes.push('refused'),
    );
    const refusedHash = Automerge.decodeChange(lastChange(refused)).hash;
    const onTop = Automerge.change(refused, authored(bea), (d) => void d.notes.push('on top'));
    const memory = new Map([[refusedHash, Automerge.getHeads(base)]]);
    const message = Automerge.encodeSyncMessage({
      heads: Automerge.getHeads(base),
      need: [],
      have: [],
      changes: [lastChange(onTop)],
    });
    expect(reviewAuthorship(message, bea, knownChangesOf(base), memory)).toBe('builds-on-refused');
  });
});
