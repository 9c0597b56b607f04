// The read models' catch-up: a small change since the recorded heads names its items (found by
// diff), a large one, or heads the document does not know, ask for a rebuild instead.

import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { initialCollection, insertItem, insertItems, type CollectionDoc } from '../domain/collection-doc.ts';
import { catchUpIds, LARGE_CATCH_UP_OPS } from './catch-up.ts';

describe('catchUpIds', () => {
  it('names the items a small change touched', () => {
    const before = withItems(Automerge.change(Automerge.init<CollectionDoc>(), seed), 0, 20);
    const after = Automerge.change(before, (doc) => insertItem(doc, 'late', { title: 'Late' }, 9));
    expect(catchUpIds(after, Automerge.getHeads(before), Automerge.getHeads(after))).toEqual(['late']);
    expect(catchUpIds(after, Automerge.getHeads(after), Automerge.getHeads(after))).toBe('none');
  });

  it('asks for a rebuild after a change too large to diff in one go, or from unknown heads', () => {
    const before = Automerge.change(Automerge.init<CollectionDoc>(), seed);
    // Each item is 7 operations: its map, title, body, tags map, one tag, createdAt and updatedAt.
    const count = Math.ceil(LARGE_CATCH_UP_OPS / 7) + 100;
    const after = withItems(before, 0, count);
    const to = Automerge.getHeads(after);
    expect(catchUpIds(after, Automerge.getHeads(before), to)).toBe('all');
    // Just under the limit: still by diff, every item named.
    const small = withItems(Automerge.clone(before), 0, 100);
    expect(catchUpIds(small, Automerge.getHeads(before), Automerge.getHeads(small))).toHaveLength(100);
    expect(catchUpIds(after, ['00'.repeat(32)], to)).toBe('all');
    expect(catchUpIds(after, undefined, to)).toBe('all');
  });
});

function seed(doc: CollectionDoc): void {
  Object.assign(doc, initialCollection('Pinax', '', 0));
}

function withItems(
  doc: Automerge.Doc<CollectionDoc>,
  first: number,
  count: number,
): Automerge.Doc<CollectionDoc> {
  const items = Array.from(
    { length: count },
    (_, i) => [`item-${first + i}`, { title: `Item ${i}`, tags: ['a'] }] as const,
  );
  return Automerge.change(doc, (draft) => insertItems(draft, items, 1));
}
