import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemId } from '../../shared/types.ts';
import type { CollectionDoc } from './collection-doc.ts';
import {
  applyItemWrites,
  BUCKET_COUNT,
  bucketOf,
  findItem,
  initialCollection,
  insertItem,
  itemWrites,
  patchItem,
  readString,
  setDeleted,
  useConflictReader,
} from './collection-doc.ts';
import { hasTitleConflict, materializeItems, summarizeItem, touchedItems } from './materialize.ts';

beforeAll(() => {
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
});

// Every device starts from the one document its collection was created as (as devices do when
// they fetch a collection by id); documents created independently would conflict on `buckets`.
const origin = Automerge.from(
  initialCollection('Books', 'Things to read', 1_000) as unknown as Record<string, unknown>,
) as unknown as Automerge.Doc<CollectionDoc>;

function newDoc(actor?: string): Automerge.Doc<CollectionDoc> {
  return actor ? Automerge.clone(origin, { actor }) : Automerge.clone(origin);
}

function fork(doc: Automerge.Doc<CollectionDoc>, actor: string): Automerge.Doc<CollectionDoc> {
  return Automerge.clone(doc, { actor });
}

const item = (id: string) => id as ItemId;

describe('collection document', () => {
  it('creates every bucket up front so concurrent first writes never race on a bucket', () => {
    const doc = newDoc();
    expect(Object.keys(doc.buckets)).toHaveLength(BUCKET_COUNT);
    expect(readString(doc.name)).toBe('Books');
  });

  it('spreads item ids over the buckets', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const b = bucketOf(`item-${i}-${(i * 7919).toString(36)}`);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    expect(counts.size).toBe(BUCKET_COUNT);
    expect(Math.max(...counts.values())).toBeLessThan(100);
  });

  it('stores strings as non-collaborative ImmutableStrings', () => {
    const doc = Automerge.change(newDoc(), (d) =>
      insertItem(d, 'a1', { title: 'Dune', body: 'Spice', tags: ['scifi'] }, 5),
    );
    const record = findItem(doc, 'a1');
    expect(Automerge.isImmutableString(record?.title)).toBe(true);
    expect(Automerge.isImmutableString(record?.body)).toBe(true);
    expect(summarizeItem(item('a1'), record)).toMatchObject({
      title: 'Dune',
      snippet: 'Spice',
      tags: ['scifi'],
    });
  });

  it('keeps concurrent titles as a conflict and a resolution clears it on both sides', () => {
    let a = Automerge.change(newDoc('aa'), (d) => insertItem(d, 'x', { title: 'Start' }, 1));
    let b = fork(a, 'bb');
    a = Automerge.change(a, (d) => void patchItem(d, 'x', { title: 'Alpha' }, 2));
    b = Automerge.change(b, (d) => void patchItem(d, 'x', { title: 'Beta' }, 3));
    a = Automerge.merge(a, b);
    b = Automerge.merge(b, a);
    for (const doc of [a, b]) {
      expect(summarizeItem(item('x'), findItem(doc, 'x'))?.titleConflicts.sort()).toEqual(['Alpha', 'Beta']);
    }
    a = Automerge.change(a, (d) => void patchItem(d, 'x', { title: 'Alpha' }, 4));
    b = Automerge.merge(b, a);
    expect(summarizeItem(item('x'), findItem(b, 'x'))).toMatchObject({ title: 'Alpha', titleConflicts: [] });
  });

  it('treats tags as a set that merges concurrent additions and removals', () => {
    let a = Automerge.change(newDoc('aa'), (d) => insertItem(d, 't', { tags: ['one', 'two'] }, 1));
    let b = fork(a, 'bb');
    a = Automerge.change(a, (d) => void patchItem(d, 't', { tags: ['one', 'two', 'three'] }, 2));
    b = Automerge.change(b, (d) => void patchItem(d, 't', { tags: ['two', 'four'] }, 2));
    const merged = Automerge.merge(a, b);
    expect(summarizeItem(item('t'), findItem(merged, 't'))?.tags).toEqual(['four', 'three', 'two']);
  });

  it('writes nothing when an update changes nothing', () => {
    const doc = Automerge.change(newDoc(), (d) => insertItem(d, 'n', { title: 'Same', tags: ['a'] }, 1));
    const heads = Automerge.getHeads(doc);
    const after = Automerge.change(doc, (d) => void patchItem(d, 'n', { title: 'Same', tags: ['a'] }, 9));
    expect(Automerge.getHeads(after)).toEqual(heads);
  });

  it('decides writes on the plain document exactly as patchItem does inside the change', () => {
    // The engine plans an edit on the current document and only writes inside the change; the
    // result must be the change patchItem makes (the same heads-worth of operations and values).
    const tagSets = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 });
    const fieldsOf = (words: fc.Arbitrary<string>) =>
      fc.record({ title: words, body: words, tags: tagSets }, { requiredKeys: [] });
    // An edit may write 'Mine' or 'Rival', the conflicting titles below: even the value shown must
    // still be written, as that resolves the conflict.
    const start = fieldsOf(fc.constantFrom('Alpha', 'Beta', ''));
    const edit = fieldsOf(fc.constantFrom('Alpha', 'Beta', 'Mine', 'Rival', ''));
    fc.assert(
      fc.property(
        start,
        edit,
        fc.boolean(),
        fc.constantFrom(undefined, 'did:key:zA', 'did:key:zB'),
        (start, edit, conflicted, author) => {
          let base = Automerge.change(newDoc('aa'), (d) => insertItem(d, 'p', start, 1, 'did:key:zA'));
          if (conflicted) {
            const other = Automerge.change(
              fork(base, 'bb'),
              (d) => void patchItem(d, 'p', { title: 'Rival' }, 2),
            );
            base = Automerge.change(base, (d) => void patchItem(d, 'p', { title: 'Mine' }, 2));
            base = Automerge.merge(base, other);
          }
          const viaPatch = Automerge.change(
            fork(base, 'cc'),
            { time: 0 },
            (d) => void patchItem(d, 'p', edit, 5, author),
          );
          const current = findItem(base, 'p')!;
          const hasConflict = hasTitleConflict(item('p'), current);
          expect(hasConflict).toBe(conflicted);
          const writes = itemWrites(current, edit, hasConflict, author);
          const viaPlan = writes
            ? Automerge.change(fork(base, 'cc'), { time: 0 }, (d) => applyItemWrites(d, 'p', writes, 5))
            : fork(base, 'cc');
          expect(Automerge.getHeads(viaPlan)).toEqual(Automerge.getHeads(viaPatch));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('shares the derived fields of an unchanged record, and derives a changed one anew', () => {
    let doc = Automerge.change(newDoc(), (d) => {
      insertItem(d, 'k', { title: 'Kept', body: 'Same body' }, 1);
      insertItem(d, 'e', { title: 'Edited' }, 1);
    });
    const kept = summarizeItem(item('k'), findItem(doc, 'k'));
    const edited = summarizeItem(item('e'), findItem(doc, 'e'));
    doc = Automerge.change(doc, (d) => void patchItem(d, 'e', { title: 'Edited again' }, 2));
    expect(summarizeItem(item('k'), findItem(doc, 'k'))).toBe(kept);
    const next = summarizeItem(item('e'), findItem(doc, 'e'));
    expect(next).not.toBe(edited);
    expect(next?.title).toBe('Edited again');
  });

  it('tombstones deleted items: hidden from the read model, kept in the document, restorable', () => {
    let doc = Automerge.change(newDoc(), (d) => insertItem(d, 'd', { title: 'Gone soon' }, 1));
    doc = Automerge.change(doc, (d) => void setDeleted(d, 'd', true, 2));
    expect(findItem(doc, 'd')).toBeDefined();
    expect(materializeItems(doc).has(item('d'))).toBe(false);
    doc = Automerge.change(doc, (d) => void setDeleted(d, 'd', false, 3));
    expect(materializeItems(doc).get(item('d'))?.title).toBe('Gone soon');
  });

  it('reads a hostile document without throwing', () => {
    const hostile = Automerge.from({
      kind: 'pinax.collection',
      name: 42,
      buckets: { '00': { bad: 'not an item' }, '01': 7 },
    });
    const items = materializeItems(hostile as unknown as CollectionDoc);
    expect(items.size).toBe(0);
  });
});

describe('incremental materializer', () => {
  it('equals a rebuild from scratch after random edits from several devices', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const devices = ['aa', 'bb', 'cc'].map((actor) => newDoc(actor));
    const views = devices.map((doc) => materializeItems(doc));
    const ids = Array.from({ length: 30 }, (_, i) => `item${i}`);

    for (let step = 0; step < 300; step++) {
      const d = Math.floor(random() * devices.length);
      const id = ids[Math.floor(random() * ids.length)] ?? 'item0';
      const roll = random();
      const before = devices[d]!;
      let after: Automerge.Doc<CollectionDoc>;
      if (roll < 0.15) {
        const other = devices[(d + 1) % devices.length]!;
        after = Automerge.merge(Automerge.clone(before), other);
      } else {
        after = Automerge.change(before, (doc) => {
          if (!findItem(doc, id)) insertItem(doc, id, { title: `t${step}`, tags: ['x'] }, step);
          else if (roll < 0.3) setDeleted(doc, id, true, step);
          else if (roll < 0.4) setDeleted(doc, id, false, step);
          else
            patchItem(
              doc,
              id,
              { title: `t${step}`, body: `b${step}`, tags: random() < 0.5 ? ['x', `y${step % 3}`] : [] },
              step,
            );
        });
      }
      const patches = Automerge.diff(after, Automerge.getHeads(before), Automerge.getHeads(after));
      const touched = touchedItems(patches);
      const view = views[d]!;
      if (touched.all) views[d] = materializeItems(after);
      else
        for (const touchedId of touched.ids) {
          const row = summarizeItem(touchedId, findItem(after, touchedId));
          if (row) view.set(touchedId, row);
          else view.delete(touchedId);
        }
      devices[d] = after;
    }
    devices.forEach((doc, d) => {
      // From a copy loaded from bytes: new objects, so nothing comes from the row cache.
      expect(sorted(views[d]!)).toEqual(sorted(materializeItems(Automerge.load(Automerge.save(doc)))));
    });
  });
});

function sorted<T>(map: Map<string, T>): Array<[string, T]> {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}
