// The read models against a rebuild from scratch: after random concurrent edits by several devices
// and tabs, merged in random order, the incrementally maintained catalog rows and search index must
// equal what a fresh build from the final document gives. Also across a restart: persisted models
// catch up by diff from their recorded heads.

import * as Automerge from '@automerge/automerge';
import { Repo, type DocHandle } from '@automerge/automerge-repo';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { openPinaxDb, type CatalogRow, type PinaxDb } from '../db.ts';
import type { CollectionId } from '../../shared/types.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import {
  initialCollection,
  insertItem,
  insertItems,
  patchItem,
  setDeleted,
  useConflictReader,
} from '../domain/collection-doc.ts';
import { withDetachedValue } from '../bulk-write.ts';
import { CATALOG_FORMAT_VERSION, ReadModels } from './read-models.ts';

beforeAll(() => {
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
});

const cleanups = cleanupsAfterEach();

const WORDS = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'garnet', 'harbor'];
const ITEM_IDS = ['item-a', 'item-b', 'item-c', 'item-d', 'item-e'];

type Op =
  | { kind: 'insert'; device: number; item: number; words: number[]; tags: number[] }
  | { kind: 'title'; device: number; item: number; words: number[] }
  | { kind: 'tags'; device: number; item: number; tags: number[] }
  | { kind: 'body'; device: number; item: number; words: number[] }
  | { kind: 'delete'; device: number; item: number; deleted: boolean }
  | { kind: 'sync'; from: number; to: number }
  | { kind: 'publish'; device: number };

const DEVICES = 3;
const device = fc.integer({ min: 0, max: DEVICES - 1 });
const item = fc.integer({ min: 0, max: ITEM_IDS.length - 1 });
const words = fc.array(fc.integer({ min: 0, max: WORDS.length - 1 }), { minLength: 1, maxLength: 4 });
const tags = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), device, item, words, tags }),
  fc.record({ kind: fc.constant('title' as const), device, item, words }),
  fc.record({ kind: fc.constant('tags' as const), device, item, tags }),
  fc.record({ kind: fc.constant('body' as const), device, item, words }),
  fc.record({ kind: fc.constant('delete' as const), device, item, deleted: fc.boolean() }),
  fc.record({ kind: fc.constant('sync' as const), from: device, to: device }),
  fc.record({ kind: fc.constant('publish' as const), device }),
);

describe('ReadModels', () => {
  it('incremental catalog and index equal a rebuild after random concurrent edits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const { handle, devices } = setup();
        const live = freshModels();
        await live.models.track(handle.documentId, handle);
        // Device 0's edits land in the tracked handle as they happen (a command in this engine);
        // the others arrive as merges (another tab's engine, a relay, a peer).
        for (const step of ops) apply(step, handle, devices);
        for (const other of [1, 2]) apply({ kind: 'publish', device: other }, handle, devices);
        await live.models.flush();

        const rebuilt = freshModels();
        await rebuilt.models.track(handle.documentId, reloaded(handle));
        await rebuilt.models.flush();
        expect(await catalog(live.db)).toEqual(await catalog(rebuilt.db));
        expect(searchAll(live.models)).toEqual(searchAll(rebuilt.models));
      }),
      { numRuns: 40 },
    );
  });

  it('after a restart, has nothing of a collection left just before the engine stopped', async () => {
    const { handle, first } = await twoItemsDerivedThenStopped();
    await first.models.flush();
    expect((await first.db.searchIndex.get('global'))?.heads[handle.documentId]).toBeDefined();
    // "Delete collection", and the last tab closes at once: the collection store deletes the row,
    // the read models drop the collection, and the stored index is never saved again.
    await first.db.collections.delete(handle.documentId as string as CollectionId);
    await first.models.removeCollection(handle.documentId);

    const restarted = new ReadModels(first.db);
    await restarted.ready;
    expect(restarted.index.size).toBe(0);
    expect(searchAll(restarted).filter((outcome) => outcome.total > 0)).toEqual([]);
    expect(restarted.index.tagFacets()).toEqual([]);
  });

  it('after a restart, catches up by diff from persisted heads and equals a rebuild', async () => {
    const { handle, devices, first } = await twoItemsDerivedThenStopped();
    // The engine went away; the document changes meanwhile (synced from elsewhere).
    apply({ kind: 'title', device: 0, item: 1, words: [5, 6] }, handle, devices);
    apply({ kind: 'delete', device: 0, item: 0, deleted: true }, handle, devices);

    const rebuilt = freshModels();
    await rebuilt.models.track(handle.documentId, reloaded(handle));
    await rebuilt.models.flush();
    const restarted = new ReadModels(first.db);
    await restarted.ready;
    // Loaded as persisted (no rebuild on start-up): stale until the collection is tracked again.
    expect(restarted.index.size).toBe(2);
    expect(searchAll(restarted)).not.toEqual(searchAll(rebuilt.models));
    await restarted.track(handle.documentId, handle);
    await restarted.flush();
    expect(await catalog(first.db)).toEqual(await catalog(rebuilt.db));
    expect(searchAll(restarted)).toEqual(searchAll(rebuilt.models));
    expect((await catalog(first.db)).find((row) => row.itemId === 'item-a')?.deleted).toBe(1);
  });

  it('rebuilds rows derived by an older format version, though the heads are current', async () => {
    const { handle, first } = await twoItemsDerivedThenStopped();
    const derived = await catalog(first.db);
    // As an older derivation left them: other snippets, recorded under the version before.
    await first.db.catalog.bulkPut(derived.map((row) => ({ ...row, snippet: `**${row.snippet}**` })));
    const state = await first.db.readModelState.get(handle.documentId);
    expect(state?.version).toBe(CATALOG_FORMAT_VERSION);
    await first.db.readModelState.put({ ...state!, version: CATALOG_FORMAT_VERSION - 1 });

    const restarted = new ReadModels(first.db);
    await restarted.track(handle.documentId, handle);
    await restarted.flush();
    await vi.waitFor(async () => expect(await catalog(first.db)).toEqual(derived), { timeout: 5_000 });
    expect((await first.db.readModelState.get(handle.documentId))?.version).toBe(CATALOG_FORMAT_VERSION);
  });

  it('writes each derived row once, even when a catalog write outlasts the flush interval', async () => {
    const { handle, devices } = setup();
    const { models, db } = freshModels();
    const written: string[] = [];
    const bulkPut = db.catalog.bulkPut.bind(db.catalog);
    // A slow disk: every catalog write takes longer than the 100 ms between flushes (kept busy with
    // reads, as a timer would end the transaction).
    db.catalog.bulkPut = (async (rows: readonly CatalogRow[]) => {
      const started = Date.now();
      while (Date.now() - started < 250) await db.catalog.get(['none', 'none']);
      written.push(...rows.map((row) => row.itemId));
      return bulkPut(rows as CatalogRow[]);
    }) as typeof db.catalog.bulkPut;
    await models.track(handle.documentId, handle);
    for (let item = 0; item < ITEM_IDS.length; item++) {
      apply({ kind: 'insert', device: 0, item, words: [item], tags: [] }, handle, devices);
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    await models.flush();
    expect([...written].sort()).toEqual([...ITEM_IDS].sort());
    expect(await catalog(db)).toHaveLength(ITEM_IDS.length);
  });

  it('removing a collection drops its rows and index entries', async () => {
    const { handle, devices } = setup();
    const { models, db } = freshModels();
    await models.track(handle.documentId, handle);
    apply({ kind: 'insert', device: 0, item: 0, words: [0], tags: [0] }, handle, devices);
    await models.flush();
    expect(await catalog(db)).toHaveLength(1);
    await models.removeCollection(handle.documentId);
    expect(await catalog(db)).toHaveLength(0);
    expect(models.index.size).toBe(0);
  });
});

// ---- helpers ----

function setup(): { handle: DocHandle<CollectionDoc>; devices: Array<Automerge.Doc<CollectionDoc>> } {
  const repo = new Repo({ network: [] });
  cleanups.push(() => repo.shutdown());
  const handle = repo.create<CollectionDoc>(initialCollection('Property', '', 1));
  const origin = handle.doc();
  const devices = Array.from({ length: DEVICES }, (_, i) =>
    i === 0 ? origin : Automerge.clone(origin, { actor: `0${i}`.repeat(16) }),
  );
  return { handle, devices };
}

function apply(
  step: Op,
  handle: DocHandle<CollectionDoc>,
  devices: Array<Automerge.Doc<CollectionDoc>>,
): void {
  if (step.kind === 'sync' || step.kind === 'publish') {
    const from = step.kind === 'sync' ? step.from : step.device;
    const to = step.kind === 'sync' ? step.to : 0;
    if (from === to) return; // Automerge refuses to merge a document into itself
    if (to === 0) {
      // Into the tracked handle: what a sync message from another engine does.
      handle.update((doc) => Automerge.merge(doc, devices[from]!));
      devices[0] = handle.doc();
    } else {
      devices[to] = Automerge.merge(devices[to]!, from === 0 ? handle.doc() : devices[from]!);
    }
    return;
  }
  const itemId = ITEM_IDS[step.item]!;
  const text = 'words' in step ? step.words.map((w) => WORDS[w]).join(' ') : '';
  const tagList = 'tags' in step ? step.tags.map((t) => `tag${t}`) : [];
  const mutate = (doc: CollectionDoc) => {
    const now = 1_000 + step.item;
    if (step.kind === 'insert')
      insertItem(doc, itemId, { title: text, body: `${text} body`, tags: tagList }, now);
    else if (step.kind === 'title') patchItem(doc, itemId, { title: text }, now + 1);
    else if (step.kind === 'tags') patchItem(doc, itemId, { tags: tagList }, now + 1);
    else if (step.kind === 'body') patchItem(doc, itemId, { body: text }, now + 1);
    else setDeleted(doc, itemId, step.deleted, now + 1);
  };
  if (step.device === 0) {
    handle.change(mutate);
    devices[0] = handle.doc();
  } else {
    devices[step.device] = Automerge.change(devices[step.device]!, mutate);
  }
}

/**
 * A handle on a copy of the document loaded from its bytes. Its objects are all new, so a rebuild
 * from it shares nothing with the live models (rows are cached by record object).
 */
function reloaded(handle: DocHandle<CollectionDoc>): DocHandle<CollectionDoc> {
  const repo = new Repo({ network: [] });
  cleanups.push(() => repo.shutdown());
  return repo.import<CollectionDoc>(Automerge.save(handle.doc()));
}

/** Two items inserted and derived into persisted read models, which then stop tracking. */
async function twoItemsDerivedThenStopped() {
  const { handle, devices } = setup();
  const first = freshModels();
  // Joined, as the collection store records it before anything is derived.
  await first.db.collections.put({
    id: handle.documentId as string as CollectionId,
    name: 'Joined',
    description: '',
    itemCount: 0,
    createdAt: 1,
    updatedAt: 1,
    joinedAt: 1,
  });
  const untrack = await first.models.track(handle.documentId, handle);
  apply({ kind: 'insert', device: 0, item: 0, words: [0, 1], tags: [0] }, handle, devices);
  apply({ kind: 'insert', device: 0, item: 1, words: [2], tags: [1] }, handle, devices);
  await first.models.flush();
  untrack();
  return { handle, devices, first };
}

function freshModels(): { models: ReadModels; db: PinaxDb } {
  const db = openPinaxDb(`read-models-${crypto.randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  cleanups.push(() => db.close());
  return { models: new ReadModels(db), db };
}

async function catalog(db: PinaxDb): Promise<CatalogRow[]> {
  const rows = await db.catalog.toArray();
  return rows.sort((a, b) => (a.itemId < b.itemId ? -1 : 1));
}

/** Every word and tag as a query, with facets: what a user could see of the index. */
function searchAll(models: ReadModels) {
  return [...WORDS, ...['tag0', 'tag1', 'tag2', 'tag3'], 'body'].map((query) => {
    const outcome = models.index.search(query, { limit: 100 });
    return {
      query,
      total: outcome.total,
      keys: outcome.hits.map((h) => `${h.itemId}`).sort(),
      facets: outcome.facets,
    };
  });
}

describe('start-up', () => {
  it('reports the items a lost index lacks as indexing until tracking has caught up', async () => {
    const handle = bigCollection(600);
    const first = freshModels();
    await first.models.track(handle.documentId, handle);
    await first.models.flush();
    // The sidebar row, as the collection store keeps it; then the stored index is lost.
    await first.db.collections.put({
      id: handle.documentId as never,
      name: 'Big',
      description: '',
      itemCount: 600,
      createdAt: 1,
      updatedAt: 1,
      joinedAt: 1,
    });
    await first.db.searchIndex.delete('global');

    const restarted = new ReadModels(first.db);
    await restarted.ready;
    expect(restarted.progress).toMatchObject({ pending: 600, total: 600 });
    await restarted.track(handle.documentId, handle);
    expect(restarted.progress.pending).toBe(0);
    expect(restarted.index.search('body', { limit: 1 }).total).toBe(600);

    // A collection that cannot be loaded is not about to be indexed: search stops saying so.
    await restarted.flush();
    await first.db.searchIndex.delete('global');
    const afterLoss = new ReadModels(first.db);
    await afterLoss.ready;
    expect(afterLoss.progress.pending).toBe(600);
    afterLoss.collectionUnavailable(handle.documentId);
    expect(afterLoss.progress.pending).toBe(0);
  });
});

describe('a long rebuild', () => {
  it('stores the search index with the heads it reached, so the next start does not rebuild', async () => {
    const handle = bigCollection(1000);
    const { models, db } = freshModels();
    // The clock runs 20 s faster per reading: the rebuild looks longer than the longest the index may
    // stay unsaved, so its second and last slice of 500 forces a save, which runs before the heads
    // are recorded (a save resets that clock, so with an odd number of slices the last one would not).
    const realNow = Date.now.bind(Date);
    let offset = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + (offset += 20_000));
    cleanups.push(() => {
      vi.restoreAllMocks();
    });
    cleanups.push(await models.track(handle.documentId, handle));
    await expect
      .poll(() => storedIndexHeads(db, handle.documentId), { timeout: 5_000 })
      .toEqual(Automerge.getHeads(handle.doc()));
  });

  it('stores a rebuilt index at once, not after the quiet spell that ordinary changes wait for', async () => {
    const handle = bigCollection(600);
    const { models, db } = freshModels();
    cleanups.push(await models.track(handle.documentId, handle));
    // Ordinary changes are saved after 2 s of quiet (INDEX_SAVE_IDLE_MS): well before that.
    await expect
      .poll(() => storedIndexHeads(db, handle.documentId), { timeout: 1_000 })
      .toEqual(Automerge.getHeads(handle.doc()));
  });

  it('writes a rebuild’s catalog rows once it is complete, in batches, with its heads', async () => {
    const handle = bigCollection(4000);
    const { models, db } = freshModels();
    // Catalog writes issued while slices were still pending (a rebuild longer than the 100 ms row
    // flush wrote as it went), and the size of each.
    const writesMidway: number[] = [];
    const batches: number[] = [];
    const bulkPut = db.catalog.bulkPut.bind(db.catalog);
    vi.spyOn(db.catalog, 'bulkPut').mockImplementation((rows, ...rest) => {
      if (models.progress.pending > 0) writesMidway.push(rows.length);
      batches.push(rows.length);
      return bulkPut(rows, ...(rest as []));
    });
    cleanups.push(() => {
      vi.restoreAllMocks();
    });
    cleanups.push(await models.track(handle.documentId, handle));
    expect(writesMidway).toEqual([]);
    await expect.poll(() => db.catalog.count(), { timeout: 5_000 }).toBe(4000);
    expect(Math.max(...batches)).toBeLessThanOrEqual(1_000);
    await expect
      .poll(async () => (await db.readModelState.get(handle.documentId))?.heads, { timeout: 5_000 })
      .toEqual(Automerge.getHeads(handle.doc()));
  });
});

describe('a bulk import', () => {
  it.each([
    ['naming each item', false],
    ['asking to re-read everything (another change landed meanwhile)', true],
  ])('is derived in slices when its change event is %s, and ends complete', async (_, foreign) => {
    const handle = bigCollection(10);
    const { models, db } = freshModels();
    cleanups.push(await models.track(handle.documentId, handle));
    await models.flush();
    await withDetachedValue(handle, async (writer) => {
      for (let batch = 0; batch < 3; batch++) {
        const items = Array.from({ length: 800 }, (_, i) => {
          const n = batch * 800 + i;
          return [`bulk-${n}`, { title: `Bulk ${n}`, body: `Imported ${n}`, tags: ['bulk'] }] as const;
        });
        writer.change(
          items.map(([id]) => id),
          (doc) => insertItems(doc, items, 3),
        );
        if (foreign && batch === 1) handle.change((doc) => insertItem(doc, 'other', { title: 'Other' }, 4));
        await new Promise((resolve) => setTimeout(resolve, 0)); // as an import lets other work in
      }
    });
    // Started at once, in slices (a rebuild's), rather than in one task.
    expect(models.isRebuilding(handle.documentId)).toBe(true);
    const total = 10 + 2400 + (foreign ? 1 : 0);
    await expect.poll(() => db.catalog.count(), { timeout: 10_000 }).toBe(total);
    expect(models.index.search('imported', { limit: 1 }).total).toBe(2400);
    await expect
      .poll(async () => (await db.readModelState.get(handle.documentId))?.heads, { timeout: 5_000 })
      .toEqual(Automerge.getHeads(handle.doc()));
  });
});

/** A collection of `count` items, created and held in a Repo of its own. */
function bigCollection(count: number): DocHandle<CollectionDoc> {
  const repo = new Repo({ network: [] });
  cleanups.push(() => repo.shutdown());
  const handle = repo.create<CollectionDoc>(initialCollection('Big', '', 1));
  handle.change((doc) => {
    for (let i = 0; i < count; i++)
      insertItem(doc, `item-${i}`, { title: `Item ${i}`, body: `Body ${i}`, tags: [] }, 2);
  });
  return handle;
}

/** The heads the stored search index claims for a collection. */
async function storedIndexHeads(db: PinaxDb, collectionId: string): Promise<string[] | undefined> {
  return (await db.searchIndex.get('global'))?.heads[collectionId];
}
