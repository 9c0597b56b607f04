// The collection's "updated" time comes from its items: item writes no longer touch the document's
// root (see CollectionDoc.updatedAt), yet the summary moves with every edit, deletion and import.

import * as Automerge from '@automerge/automerge';
import { Repo, type DocHandle } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import type { CollectionId, CollectionSummary } from '../shared/types.ts';
import {
  applyItemWrites,
  initialCollection,
  insertItem,
  insertItems,
  setDeleted,
  type CollectionDoc,
} from './domain/collection-doc.ts';
import { latestItemUpdate } from './domain/materialize.ts';
import { LiveCollection } from './live-collection.ts';

describe('item writes', () => {
  it('leave the document root alone', () => {
    const handle = newCollection();
    const before = Automerge.getHeads(handle.doc());
    handle.change((doc) => insertItem(doc, 'a', { title: 'A' }, 10));
    handle.change((doc) => insertItems(doc, [['b', { title: 'B' }]], 11));
    handle.change((doc) => applyItemWrites(doc, 'a', { title: 'A2', addTags: ['x'] }, 12));
    handle.change((doc) => void setDeleted(doc, 'b', true, 13));
    const patches = Automerge.diff(handle.doc(), before, Automerge.getHeads(handle.doc()));
    expect(patches.length).toBeGreaterThan(0);
    // Every write is to an item (buckets/<bucket>/<id>) or below it.
    for (const patch of patches) {
      expect(patch.path[0]).toBe('buckets');
      expect(patch.path.length).toBeGreaterThanOrEqual(3);
    }
    expect(handle.doc().updatedAt).toBe(0);
  });
});

describe('LiveCollection summary', () => {
  it('is updated at the latest edit, deletion or insert of any item', async () => {
    const handle = newCollection();
    handle.change((doc) =>
      insertItems(
        doc,
        [
          ['a', { title: 'A' }],
          ['b', { title: 'B' }],
        ],
        100,
      ),
    );
    const live = new LiveCollection('c' as CollectionId, handle);
    const summaries: CollectionSummary[] = [];
    live.subscribe((patch) => summaries.push(patch.collection));
    expect(live.summary.updatedAt).toBe(100);

    handle.change((doc) => applyItemWrites(doc, 'a', { title: 'A2' }, 200));
    await microtasks();
    expect(live.summary.updatedAt).toBe(200);

    handle.change((doc) => void setDeleted(doc, 'b', true, 300));
    await microtasks();
    expect(live.summary).toMatchObject({ updatedAt: 300, itemCount: 1 });

    handle.change((doc) => insertItem(doc, 'c', { title: 'C' }, 400));
    await microtasks();
    expect(live.summary).toMatchObject({ updatedAt: 400, itemCount: 2 });
    expect(summaries.map((summary) => summary.updatedAt)).toEqual([200, 300, 400]);
    live.dispose();
  });

  it('takes a later change of the collection itself, and starts from every item on load', () => {
    const handle = newCollection();
    handle.change((doc) => {
      insertItems(
        doc,
        [
          ['a', { title: 'A' }],
          ['b', { title: 'B' }],
        ],
        50,
      );
      setDeleted(doc, 'b', true, 70);
    });
    expect(latestItemUpdate(handle.doc())).toBe(70);
    expect(latestItemUpdate(handle.doc(), ['a'])).toBe(50);
    expect(latestItemUpdate(handle.doc(), ['missing'])).toBe(0);
    handle.change((doc) => void (doc.updatedAt = 90));
    const live = new LiveCollection('c' as CollectionId, handle);
    expect(live.summary.updatedAt).toBe(90);
    live.dispose();
  });
});

function newCollection(): DocHandle<CollectionDoc> {
  return new Repo({ network: [] }).create<CollectionDoc>(initialCollection('Pinax', '', 0));
}

async function microtasks(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}
