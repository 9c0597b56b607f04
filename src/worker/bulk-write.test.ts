// Bulk writes with the document's JS value detached (bulk-write.ts, and the detach/attach Pinax patch
// to Automerge): the document they leave equals the one ordinary changes make, readers keep seeing
// the collection as it was meanwhile, and listeners are told exactly once what was written, or to
// re-read everything when someone else changed the document meanwhile.

import * as Automerge from '@automerge/automerge';
import { Repo, type DocHandle, type DocHandleChangePayload } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import type { CollectionId } from '../shared/types.ts';
import {
  directWriter,
  isDetached,
  withDetachedValue,
  worthDetaching,
  type BulkWriter,
} from './bulk-write.ts';
import {
  initialCollection,
  insertItem,
  insertItems,
  readString,
  type CollectionDoc,
} from './domain/collection-doc.ts';
import { materializeItems, touchedItems } from './domain/materialize.ts';
import { LiveCollection } from './live-collection.ts';

describe('withDetachedValue', () => {
  it('leaves the same items as ordinary changes, and names each of them in one change event', async () => {
    const detached = newCollection();
    const direct = newCollection();
    const events: Array<DocHandleChangePayload<CollectionDoc>> = [];
    detached.on('change', (payload) => events.push(payload));

    await withDetachedValue(detached, (writer) => writeBatches(writer, 3, 300));
    await writeBatches(directWriter(direct), 3, 300);

    expect(isDetached(detached.doc())).toBe(false);
    expect(itemTitles(detached.doc())).toEqual(itemTitles(direct.doc()));
    expect(itemTitles(detached.doc()).size).toBe(900);
    // The batches' own events carried no patches; the last one names every item written.
    const last = events.at(-1)!;
    expect(events.slice(0, -1).every((event) => event.patches.length === 0 && isDetached(event.doc))).toBe(
      true,
    );
    const touched = touchedItems(last.patches);
    expect(touched.all).toBe(false);
    expect([...touched.ids].sort()).toEqual([...itemTitles(direct.doc()).keys()].sort());
    expect(last.doc).toBe(detached.doc());
  });

  it('keeps the collection readable as it was, and a later change patches the value as usual', async () => {
    const handle = newCollection();
    handle.change((doc) => insertItem(doc, 'before', { title: 'Old', tags: ['a'] }, 1));
    let seenDuring: { detached: boolean; name: string; items: number } | undefined;

    await withDetachedValue(handle, async (writer) => {
      await writeBatches(writer, 1, 50);
      const doc = handle.doc();
      seenDuring = {
        detached: isDetached(doc),
        name: readString(doc.name),
        items: materializeItems(doc).size,
      };
    });
    handle.change((doc) => insertItem(doc, 'after', { title: 'New' }, 2));

    expect(seenDuring).toEqual({ detached: true, name: 'Pinax', items: 1 });
    const items = materializeItems(handle.doc());
    expect(items.size).toBe(52);
    expect(items.get('after' as never)?.title).toBe('New');
    expect(items.get('before' as never)?.tags).toEqual(['a']);
  });

  it('asks listeners to re-read everything when another change landed meanwhile, and they do', async () => {
    const handle = newCollection();
    const live = new LiveCollection('c' as CollectionId, handle);
    const patches: number[] = [];
    live.subscribe((patch) => patches.push(patch.upserts.length));
    const events: Array<DocHandleChangePayload<CollectionDoc>> = [];

    await withDetachedValue(handle, async (writer) => {
      await writeBatches(writer, 1, 40);
      handle.change((doc) => insertItem(doc, 'elsewhere', { title: 'From another tab' }, 3));
      handle.on('change', (payload) => events.push(payload));
      await writeBatches(writer, 1, 40, 40);
    });
    await microtasks();

    expect(events.at(-1)?.patches).toEqual([]);
    expect(touchedItems(events.at(-1)!.patches).all).toBe(true);
    // The live collection skipped the detached changes and re-read everything once at the end.
    expect(patches).toEqual([81]);
    expect(live.items.map((item) => item.title)).toContain('From another tab');
    live.dispose();
  });

  it('attaches and reports what was written when the write fails part way', async () => {
    const handle = newCollection();
    const failure = new Error('cancelled');
    await expect(
      withDetachedValue(handle, async (writer) => {
        await writeBatches(writer, 2, 30);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(isDetached(handle.doc())).toBe(false);
    expect(materializeItems(handle.doc()).size).toBe(60);
  });
});

describe('the detach and attach patch to Automerge', () => {
  it('makes the detached document outdated, like a change does, and leaves equal bytes', () => {
    const original = Automerge.change(Automerge.init<CollectionDoc>(), (doc) =>
      Object.assign(doc, initialCollection('Pinax', '', 0)),
    );
    const detached = Automerge.detach(original);
    expect(() => Automerge.change(original, (doc) => void (doc.updatedAt = 1))).toThrow(/outdated/);
    const changed = Automerge.change(detached, (doc) => {
      insertItem(doc, 'x', { title: 'X' }, 5);
      doc.updatedAt = 5;
    });
    expect(changed.updatedAt).toBe(0); // the stale view
    const attached = Automerge.attach(changed);
    expect(attached.updatedAt).toBe(5);
    expect(() => Automerge.change(changed, (doc) => void (doc.updatedAt = 6))).toThrow(/outdated/);
    expect(Automerge.toJS(attached)).toEqual(Automerge.toJS(Automerge.load(Automerge.save(attached))));
  });
});

describe('worthDetaching', () => {
  it('detaches for a large share of the document only', () => {
    expect(worthDetaching(10_000, 10_000)).toBe(true);
    expect(worthDetaching(1_000, 3_000)).toBe(true);
    expect(worthDetaching(1_000, 20_000)).toBe(false);
    expect(worthDetaching(100, 100)).toBe(false);
  });
});

function newCollection(): DocHandle<CollectionDoc> {
  return new Repo({ network: [] }).create<CollectionDoc>(initialCollection('Pinax', '', 0));
}

async function writeBatches(writer: BulkWriter, batches: number, size: number, first = 0): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const items = Array.from({ length: size }, (_, i) => {
      const n = first + b * size + i;
      return [`item-${n}`, { title: `Item ${n}`, body: `Body ${n}`, tags: [`t${n % 7}`] }] as const;
    });
    writer.change(
      items.map(([id]) => id),
      (doc) => insertItems(doc, items, 10 + b),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

function itemTitles(doc: CollectionDoc): Map<string, string> {
  return new Map([...materializeItems(doc)].map(([id, item]) => [id, item.title]));
}

async function microtasks(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}
