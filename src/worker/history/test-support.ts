// Documents and helpers shared by the history tests: every device starts from one origin document,
// and changes are dated so that versions read in a known order.

import * as Automerge from '@automerge/automerge';
import { expect } from 'vitest';
import type { BodyDoc } from '../bodies.ts';
import { BODY_KIND } from '../bodies.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { bucketOf, initialCollection } from '../domain/collection-doc.ts';
import { itemHistory } from './item-history.ts';

export type Coll = Automerge.Doc<CollectionDoc>;
export type Body = Automerge.Doc<BodyDoc>;

export const ACTOR_A = 'aaaa0000'.repeat(4);
export const ACTOR_B = 'bbbb0000'.repeat(4);

// Every device starts from the one document the collection was created as.
// Its first change is dated (second 1) so that test times read as "later".
export const origin = Automerge.change(
  Automerge.init<CollectionDoc>({ actor: ACTOR_A }),
  { time: 1 },
  (d) => {
    Object.assign(d, initialCollection('Books', 'Things to read', 1_000));
  },
);

export function newDoc(actor = ACTOR_A): Coll {
  return Automerge.clone(origin, { actor });
}

export function at(doc: Coll, time: number, fn: (d: CollectionDoc) => unknown): Coll {
  return Automerge.change(doc, { time }, (d) => void fn(d));
}

export function lastHash(doc: Automerge.Doc<unknown>): string {
  const heads = Automerge.getHeads(doc);
  expect(heads).toHaveLength(1);
  return heads[0]!;
}

/** A body document as bodies.ts seeds it: root change at time 0 holding the snapshot. */
export function seedBody(snapshot: string, actor = 'b0'.repeat(16)): Body {
  return Automerge.change(Automerge.init<BodyDoc>({ actor }), { time: 0 }, (d) => {
    d.kind = BODY_KIND;
    d.text = snapshot;
  });
}

export function editBody(doc: Body, time: number, text: string): Body {
  return Automerge.change(doc, { time }, (d) => Automerge.updateText(d, ['text'], text));
}

export function sameHeads(a: Automerge.Doc<unknown>, b: Automerge.Doc<unknown>): boolean {
  return Automerge.getHeads(a).join() === Automerge.getHeads(b).join();
}

export function summaries(doc: Coll, itemId: string, body?: Body): string[] {
  return itemHistory(doc, itemId, body).map((v) => v.summary);
}

/** Two ids that share a bucket, so "other items" really are neighbours in the document. */
export const [X, Y] = ((): [string, string] => {
  const first = 'item-x';
  for (let i = 0; ; i++) if (bucketOf(`item-y${i}`) === bucketOf(first)) return [first, `item-y${i}`];
})();
