// The value-column split must leave a document exactly as it was: same heads, same bytes, the same
// next change. And it must pick its split points back to front in the document's op order, or each
// split copies the rest of the column (the slow case it exists to avoid). How much it speeds edits
// up is measured by the benchmark (bench/measures/automerge-micro.mjs), not asserted here.

import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { CollectionDoc } from './domain/collection-doc.ts';
import { findItem, initialCollection, insertItems } from './domain/collection-doc.ts';
import { splitLoadedDocument, splitPoints, splitValueColumn } from '../shared/value-column.ts';

describe('splitPoints', () => {
  it('picks every k-th item, last created first', () => {
    const { doc } = loadedCollection(500);
    const points = splitPoints(doc, 50);
    expect(points).toHaveLength(10);
    const counters = points.map(({ bucket, itemId }) => objectCounter(doc.buckets[bucket]![itemId]!));
    expect(counters).toEqual([...counters].sort((a, b) => b - a));
    expect(new Set(counters).size).toBe(10);
  });

  it('orders items made on two devices by the op that created them', () => {
    const base = newCollection();
    let a = Automerge.clone(base);
    let b = Automerge.clone(base);
    a = Automerge.change(a, (d) => insertItems(d, items('a', 60), 2));
    b = Automerge.change(b, (d) => insertItems(d, items('b', 60), 2));
    const merged = Automerge.load<CollectionDoc>(Automerge.save(Automerge.merge(a, b)));
    const points = splitPoints(merged, 10);
    expect(points).toHaveLength(12);
    const ids = points.map(({ bucket, itemId }) => Automerge.getObjectId(merged.buckets[bucket]![itemId]!)!);
    const sorted = [...ids].sort((x, y) => {
      const [cx, ax] = x.split('@') as [string, string];
      const [cy, ay] = y.split('@') as [string, string];
      return Number(cy) - Number(cx) || (ax < ay ? 1 : ax > ay ? -1 : 0);
    });
    expect(ids).toEqual(sorted);
  });

  it('leaves a small collection alone', () => {
    expect(splitPoints(loadedCollection(100).doc, 64)).toEqual([]);
  });
});

describe('splitValueColumn', () => {
  it('leaves the document, its bytes and its next change exactly as they were', () => {
    const { doc, bytes } = loadedCollection(1_000);
    const untouched = Automerge.load<CollectionDoc>(bytes, { actor: Automerge.getActorId(doc) });
    const heads = Automerge.getHeads(doc);

    const points = splitPoints(doc, 16);
    expect(splitValueColumn(doc, points)).toBe(points.length);

    expect(Automerge.getHeads(doc)).toEqual(heads);
    expect(Automerge.save(doc)).toEqual(Automerge.save(untouched));
    const { bucket, itemId } = points[0]!;
    expect(doc.buckets[bucket]![itemId]!.updatedAt).toBe(untouched.buckets[bucket]![itemId]!.updatedAt);

    // The next change is the same change: same seq, same first op counter, same bytes.
    const edit = (d: CollectionDoc) => {
      const item = findItem(d, itemId)!;
      item.title = new Automerge.ImmutableString('Edited');
      item.updatedAt = 99;
    };
    const after = Automerge.change(doc, { time: 5 }, edit);
    const expected = Automerge.change(untouched, { time: 5 }, edit);
    expect(Automerge.getLastLocalChange(after)).toEqual(Automerge.getLastLocalChange(expected));
  });

  it('splits in chunks, on the document current at each step', async () => {
    const { doc } = loadedCollection(2_000);
    let current: Automerge.Doc<CollectionDoc> = doc;
    let reads = 0;
    const splits = await splitLoadedDocument(
      () => {
        reads++;
        // A change lands between chunks, as an edit or a sync message would.
        if (reads === 3) current = Automerge.change(current, (d) => void (d.updatedAt = 7));
        return current;
      },
      () => Promise.resolve(),
      { itemsPerSlab: 16, pointsPerTask: 50 },
    );
    expect(splits).toBe(splitPoints(doc, 16).length);
    expect(reads).toBe(4);
    expect(current.updatedAt).toBe(7);
    expect(Automerge.getHeads(current)).toHaveLength(1);
  });
});

function loadedCollection(count: number): { doc: Automerge.Doc<CollectionDoc>; bytes: Uint8Array } {
  let doc = newCollection();
  for (let start = 0; start < count; start += 100)
    doc = Automerge.change(doc, (d) => insertItems(d, items(`i${start}-`, Math.min(100, count - start)), 2));
  const bytes = Automerge.save(doc);
  return { doc: Automerge.load<CollectionDoc>(bytes), bytes };
}

function newCollection(): Automerge.Doc<CollectionDoc> {
  return Automerge.change(
    Automerge.init<CollectionDoc>(),
    (d) => void Object.assign(d, initialCollection('Big', '', 1)),
  );
}

function items(
  prefix: string,
  count: number,
): Array<[string, { title: string; body: string; tags: string[] }]> {
  return Array.from({ length: count }, (_, i) => [
    `${prefix}${i}`,
    { title: `Item ${prefix}${i}`, body: `Body ${i} `.repeat(40), tags: ['t'] },
  ]);
}

function objectCounter(value: object): number {
  return Number(Automerge.getObjectId(value)!.split('@')[0]);
}
