import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemId, ItemSummary } from '../shared/types.ts';
import { makeItemOrder } from './item-order.ts';

describe('makeItemOrder', () => {
  it('lists newest first and replaces an edited row in place, leaving the previous array alone', () => {
    const order = makeItemOrder();
    const first = order.reset([row('a', 1), row('b', 3), row('c', 2)]);
    expect(first.map((r) => r.id)).toEqual(['b', 'c', 'a']);
    const edited = row('c', 2, 'edited');
    const next = order.patch([edited], []);
    expect(next.map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(next[1]).toBe(edited);
    expect(first[1]?.title).toBe('c'); // a new array: Solid sees the change, the old one is intact
  });

  it('equals a full sort after any sequence of patches', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'] as ItemId[];
    const op = fc.record({
      upserts: fc.array(
        fc.record({ id: fc.constantFrom(...ids), createdAt: fc.integer({ min: 0, max: 4 }) }),
      ),
      removed: fc.array(fc.constantFrom(...ids), { maxLength: 2 }),
      title: fc.string({ maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        const order = makeItemOrder();
        const model = new Map<ItemId, ItemSummary>();
        order.reset([]);
        for (const { upserts, removed, title } of ops) {
          // One row per id in a patch, as the engine sends them.
          const unique = [...new Map(upserts.map((u) => [u.id, row(u.id, u.createdAt, title)])).values()];
          for (const r of unique) model.set(r.id, r);
          for (const id of removed) model.delete(id);
          const rows = order.patch(unique, removed);
          const expected = [...model.values()].sort(
            (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1),
          );
          expect(rows).toEqual(expected);
        }
      }),
    );
  });
});

function row(id: string, createdAt: number, title = id): ItemSummary {
  return {
    id: id as ItemId,
    title,
    titleConflicts: [],
    tags: [],
    snippet: '',
    createdAt,
    updatedAt: createdAt,
  };
}
