import * as Automerge from '@automerge/automerge';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bucketOf,
  insertItem,
  patchItem,
  setBodyDoc,
  setDeleted,
  useConflictReader,
} from '../domain/collection-doc.ts';
import { authored } from '../../shared/access/authored.ts';
import type { ItemSnapshot } from './item-history.ts';
import {
  HistoryIndex,
  collectionTimeline,
  deletedItems,
  itemAtVersion,
  itemHistory,
  restorePlan,
} from './item-history.ts';
import type { Body } from './test-support.ts';
import {
  ACTOR_A,
  ACTOR_B,
  X,
  Y,
  at,
  editBody,
  lastHash,
  newDoc,
  seedBody,
  summaries,
} from './test-support.ts';

beforeAll(() => {
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
});

describe('itemHistory', () => {
  it('names the author a change names, and no one for a change that names none', () => {
    const user = 'did:key:z6MkAuthorOfTheEdit';
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune', body: '', tags: [] }, 10_000));
    doc = Automerge.change(doc, { time: 20, ...authored(user) }, (d) => {
      patchItem(d, X, { title: 'Dune Messiah' }, 20_000, user);
    });
    const versions = itemHistory(doc, X);
    expect(versions.map((v) => [v.summary, v.author])).toEqual([
      ['Title changed', user],
      ['Created', undefined],
    ]);
    expect(collectionTimeline(doc).map((entry) => entry.author)).toEqual([user, undefined, undefined]);
  });

  it('lists versions newest first with what each changed', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune', body: 'Spice', tags: ['scifi'] }, 10_000));
    doc = at(doc, 20, (d) => patchItem(d, X, { title: 'Dune Messiah' }, 20_000));
    doc = at(doc, 30, (d) => patchItem(d, X, { tags: ['classic', 'novel'] }, 30_000));
    doc = at(doc, 40, (d) => setDeleted(d, X, true, 40_000));
    doc = at(doc, 50, (d) => setDeleted(d, X, false, 50_000));
    doc = at(doc, 60, (d) =>
      patchItem(d, X, { title: 'Children of Dune', tags: ['novel'], body: 'Sand' }, 6),
    );

    const versions = itemHistory(doc, X);
    expect(versions.map((v) => v.summary)).toEqual([
      'Title changed, Body edited, Tags: −classic',
      'Restored',
      'Deleted',
      'Tags: +classic +novel −scifi',
      'Title changed',
      'Created',
    ]);
    expect(versions.map((v) => v.time)).toEqual([60_000, 50_000, 40_000, 30_000, 20_000, 10_000]);
    expect(versions.every((v) => v.source === 'collection' && v.actor === ACTOR_A.slice(0, 8))).toBe(true);
    expect(versions.every((v) => /^c:[0-9a-f]{64}$/.test(v.id))).toBe(true);
  });

  it('leaves out changes to other items, the collection itself, and invisible bookkeeping', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune' }, 1));
    doc = at(doc, 11, (d) => insertItem(d, Y, { title: 'Emma' }, 2));
    doc = at(doc, 12, (d) => patchItem(d, Y, { title: 'Persuasion', tags: ['austen'] }, 3));
    doc = at(doc, 13, (d) => setDeleted(d, Y, true, 4));
    doc = at(doc, 14, (d) => {
      d.name = new Automerge.ImmutableString('Novels');
    });
    doc = at(doc, 15, (d) => setBodyDoc(d, X, 'automerge:2tVAYrBvZyK8L8R9MQEFrJSgiXDt'));
    doc = at(doc, 16, (d) => {
      patchItem(d, X, { tags: ['scifi'] }, 5);
      patchItem(d, Y, { title: 'Emma' }, 5);
    });
    expect(summaries(doc, X)).toEqual(['Tags: +scifi', 'Created']);
    expect(summaries(doc, Y)).toEqual([
      'Title changed',
      'Deleted',
      'Title changed, Tags: +austen',
      'Created',
    ]);
    expect(itemHistory(doc, 'never-existed')).toEqual([]);
  });

  it('includes body document edits as "Body edited" versions, interleaved by time', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune', body: 'Spice' }, 1));
    let body = seedBody('Spice');
    doc = at(doc, 20, (d) => setBodyDoc(d, X, 'automerge:body'));
    body = editBody(body, 20, 'Spice must flow');
    doc = at(doc, 21, (d) => patchItem(d, X, { body: 'Spice must flow' }, 2)); // the engine's snapshot copy
    doc = at(doc, 30, (d) => patchItem(d, X, { title: 'Dune (1965)' }, 3));
    body = editBody(body, 40, 'The spice must flow');

    const versions = itemHistory(doc, X, body);
    expect(versions.map((v) => [v.source, v.summary])).toEqual([
      ['body', 'Body edited'],
      ['collection', 'Title changed'],
      ['body', 'Body edited'],
      ['collection', 'Created'],
    ]);
    expect(versions[0]!.id).toMatch(/^b:[0-9a-f]{64}$/);
    expect(versions[0]!.actor).toBe('b0b0b0b0');
    // Without its body document, the snapshot copies are all the history knows of the body.
    expect(summaries(doc, X)).toEqual(['Title changed', 'Body edited', 'Created']);
  });
});

describe('itemAtVersion', () => {
  it('returns the title, body, tags and deleted state as they were', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune', body: 'Spice', tags: ['scifi'] }, 1));
    let body = seedBody('Spice');
    doc = at(doc, 20, (d) => patchItem(d, X, { title: 'Dune Messiah', tags: ['b', 'a'] }, 2));
    doc = at(doc, 25, (d) => setBodyDoc(d, X, 'automerge:body'));
    body = editBody(body, 30, 'Spice must flow');
    doc = at(doc, 40, (d) => setDeleted(d, X, true, 3));

    const versions = itemHistory(doc, X, body);
    const states = versions.map((v) => itemAtVersion(doc, X, body, v.id));
    expect(states).toEqual<ItemSnapshot[]>([
      { title: 'Dune Messiah', body: 'Spice must flow', tags: ['a', 'b'], deleted: true },
      { title: 'Dune Messiah', body: 'Spice must flow', tags: ['a', 'b'], deleted: false },
      { title: 'Dune Messiah', body: 'Spice', tags: ['a', 'b'], deleted: false },
      { title: 'Dune', body: 'Spice', tags: ['scifi'], deleted: false },
    ]);
  });

  it('pairs documents by time: on a tie the collection change counts as earlier', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune', body: 'Spice' }, 1));
    let body = editBody(seedBody('Spice'), 10, 'Spice must flow');
    const [edit, created] = itemHistory(doc, X, body);
    expect([edit?.source, created?.summary]).toEqual(['body', 'Created']);
    expect(itemAtVersion(doc, X, body, created!.id)?.body).toBe('Spice');
    expect(itemAtVersion(doc, X, body, edit!.id)).toMatchObject({ title: 'Dune', body: 'Spice must flow' });
    // A body edit dated before the item existed (a device's clock was behind) reads its first state.
    body = editBody(seedBody('Spice', 'c1'.repeat(16)), 5, 'Early');
    const early = itemHistory(doc, X, body).at(-1)!;
    expect(early.source).toBe('body');
    expect(itemAtVersion(doc, X, body, early.id)).toMatchObject({ title: 'Dune', body: 'Early' });
  });

  it('rejects hostile and foreign version ids', () => {
    let doc = newDoc();
    const beforeItem = lastHash(doc);
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune' }, 1));
    const body = editBody(seedBody(''), 20, 'text');
    const [version] = itemHistory(doc, X);
    const hash = version!.id.slice(2);
    const seed = Automerge.decodeChange(Automerge.getAllChanges(body)[0]!).hash;
    expect(itemAtVersion(doc, X, undefined, version!.id)?.title).toBe('Dune');
    expect(itemAtVersion(doc, X, body, `b:${lastHash(body)}`)?.body).toBe('text');
    const hostile: Array<[string, Body | undefined]> = [
      ['', undefined],
      ['c:', undefined],
      ['x', undefined],
      [`c:${'0'.repeat(64)}`, undefined],
      [`b:${'0'.repeat(64)}`, body],
      [`C:${hash}`, undefined],
      [`c:${hash.toUpperCase()}`, undefined],
      [`c:${hash} `, undefined],
      [`c:${hash}\n`, undefined],
      [`c:${beforeItem}`, undefined], // a real change, but the item did not exist yet
      [`b:${hash}`, body], // a collection hash posing as a body version
      [`c:${lastHash(body)}`, body], // a body hash posing as a collection version
      [`b:${lastHash(body)}`, undefined], // a body version without its body document
      [`b:${seed}`, body], // the seed is not a version
    ];
    for (const [id, bodyDoc] of hostile) expect(itemAtVersion(doc, X, bodyDoc, id), id).toBe(undefined);
    expect(itemAtVersion(doc, X, undefined, 42 as unknown as string)).toBe(undefined);
    expect(itemAtVersion(doc, 'other', undefined, version!.id)).toBe(undefined);
  });
});

describe('concurrent devices', () => {
  it('shows both devices’ versions, each seeing only its own past', () => {
    let base = newDoc(ACTOR_A);
    base = at(base, 10, (d) => insertItem(d, X, { title: 'Dune', tags: ['scifi'] }, 1));
    let a = base;
    let b = Automerge.clone(base, { actor: ACTOR_B });
    a = at(a, 20, (d) => patchItem(d, X, { title: 'Dune Messiah' }, 2));
    b = at(b, 21, (d) => patchItem(d, X, { tags: ['scifi', 'classic'] }, 3));
    const merged = Automerge.merge(a, b);

    const versions = itemHistory(merged, X);
    expect(versions.map((v) => [v.actor, v.summary])).toEqual([
      [ACTOR_B.slice(0, 8), 'Tags: +classic'],
      [ACTOR_A.slice(0, 8), 'Title changed'],
      [ACTOR_A.slice(0, 8), 'Created'],
    ]);
    expect(itemAtVersion(merged, X, undefined, versions[0]!.id)).toMatchObject({
      title: 'Dune',
      tags: ['classic', 'scifi'],
    });
    expect(itemAtVersion(merged, X, undefined, versions[1]!.id)).toMatchObject({
      title: 'Dune Messiah',
      tags: ['scifi'],
    });
  });
});

describe('concurrent creation of one id', () => {
  it('lists both creations; each reads back its own object', () => {
    const a = at(newDoc(ACTOR_A), 10, (d) => insertItem(d, X, { title: 'From A' }, 1));
    const b = at(newDoc(ACTOR_B), 11, (d) => insertItem(d, X, { title: 'From B', tags: ['b'] }, 2));
    let merged = Automerge.merge(a, b);
    merged = at(merged, 12, (d) => patchItem(d, X, { tags: ['c'] }, 3));
    const versions = itemHistory(merged, X);
    expect(versions.map((v) => v.summary)).toHaveLength(3);
    expect(versions.slice(1).map((v) => [v.actor, v.summary])).toEqual([
      [ACTOR_B.slice(0, 8), 'Created'],
      [ACTOR_A.slice(0, 8), 'Created'],
    ]);
    expect(itemAtVersion(merged, X, undefined, versions[2]!.id)?.title).toBe('From A');
    expect(itemAtVersion(merged, X, undefined, versions[1]!.id)?.title).toBe('From B');
  });
});

describe('restorePlan', () => {
  it('computes only the differing fields, applied as a new change that keeps the old history', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune', tags: ['scifi'] }, 1));
    doc = at(doc, 20, (d) => patchItem(d, X, { title: 'Dune?' }, 2));
    doc = at(doc, 30, (d) => setDeleted(d, X, true, 3));
    let body = seedBody('');
    body = editBody(body, 25, 'Spice');
    const created = itemHistory(doc, X, body).at(-1)!;

    const plan = restorePlan(doc, X, body, created.id);
    expect(plan).toEqual({ fields: { title: 'Dune', body: '' }, deleted: false });
    doc = at(doc, 40, (d) => {
      patchItem(d, X, { title: plan!.fields.title! }, 4);
      setDeleted(d, X, plan!.deleted!, 4);
    });
    body = editBody(body, 40, plan!.fields.body!);

    const versions = itemHistory(doc, X, body);
    expect(versions.map((v) => v.summary)).toEqual([
      'Body edited',
      'Title changed, Restored',
      'Deleted',
      'Body edited',
      'Title changed',
      'Created',
    ]);
    expect(restorePlan(doc, X, body, created.id)).toEqual({ fields: {} });
    expect(restorePlan(doc, X, body, 'c:nope')).toBe(undefined);
  });
});

describe('collectionTimeline and deletedItems', () => {
  it('lists the newest changes with the items they touched, deleted ones included', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => ['p', 'q', 'r'].forEach((id, i) => insertItem(d, id, { title: `T${i}` }, 1)));
    doc = at(doc, 20, (d) => patchItem(d, 'q', { title: 'Q!', tags: ['x'] }, 2));
    doc = at(doc, 30, (d) => setDeleted(d, 'r', true, 3));
    doc = at(doc, 40, (d) => {
      setDeleted(d, 'p', true, 4);
      patchItem(d, 'q', { title: 'Q?' }, 4);
    });
    doc = at(doc, 50, (d) => {
      d.description = new Automerge.ImmutableString('Changed');
    });

    const timeline = collectionTimeline(doc, { limit: 4 });
    expect(timeline.map((e) => [e.time, e.summary, e.items, e.itemCount])).toEqual([
      [50_000, 'Collection details changed', [], 0],
      [
        40_000,
        'Deleted 1 item, Edited 1 item',
        [
          { itemId: 'p', title: 'T0', deleted: true },
          { itemId: 'q', title: 'Q?', deleted: false },
        ],
        2,
      ],
      [30_000, 'Deleted', [{ itemId: 'r', title: 'T2', deleted: true }], 1],
      [20_000, 'Title changed, Tags: +x', [{ itemId: 'q', title: 'Q!', deleted: false }], 1],
    ]);
    expect(timeline[0]!.actor).toBe(ACTOR_A.slice(0, 8));

    const older = collectionTimeline(doc, { offset: 4, limit: 10, itemsPerEntry: 2 });
    expect(older.map((e) => [e.summary, e.items.map((i) => i.title), e.itemCount])).toEqual([
      ['Created 3 items', ['T0', 'T1'], 3],
      ['Collection created', [], 0],
    ]);
    expect(deletedItems(doc)).toEqual([
      { itemId: 'p', title: 'T0', deletedAt: 4 },
      { itemId: 'r', title: 'T2', deletedAt: 3 },
    ]);
  });

  it('summarizes a 1,000-item import without listing every item', () => {
    let doc = newDoc();
    doc = at(doc, 10, (d) => {
      for (let i = 0; i < 1_000; i++) insertItem(d, `bulk-${i}`, { title: `Book ${i}`, tags: ['a'] }, 1);
    });
    doc = at(doc, 20, (d) => patchItem(d, 'bulk-500', { title: 'Renamed' }, 2));
    const [edit, bulk] = collectionTimeline(doc, { limit: 2 });
    expect(edit).toMatchObject({
      summary: 'Title changed',
      items: [{ itemId: 'bulk-500', title: 'Renamed' }],
    });
    expect(bulk).toMatchObject({ summary: 'Created 1000 items', itemCount: 1_000 });
    expect(bulk!.items).toHaveLength(50);
    expect(summaries(doc, 'bulk-500')).toEqual(['Title changed', 'Created']);
    expect(summaries(doc, 'bulk-7')).toEqual(['Created']);
  });
});

describe('hostile documents', () => {
  it('never throws on odd shapes and skips what it cannot read', () => {
    const odd = [
      undefined,
      null,
      42,
      'doc',
      {},
      { buckets: [] },
      Automerge.from({ buckets: 5 }),
      Automerge.from({ buckets: { [bucketOf(X)]: { [X]: 'not a record' } } }),
      Automerge.from({ buckets: { [bucketOf(X)]: { [X]: { title: 7, tags: ['a'], deletedAt: null } } } }),
    ];
    for (const doc of odd) {
      expect(() => itemHistory(doc, X, doc)).not.toThrow();
      expect(() => collectionTimeline(doc, { limit: -3, offset: NaN })).not.toThrow();
      expect(() => deletedItems(doc)).not.toThrow();
      expect(itemAtVersion(doc, X, doc, 'c:zz')).toBe(undefined);
    }
    const weird = odd.at(-1) as Automerge.Doc<unknown>;
    const [version] = itemHistory(weird, X);
    expect(version?.summary).toBe('Created');
    expect(itemAtVersion(weird, X, undefined, version!.id)).toEqual({
      title: '',
      body: '',
      tags: [],
      deleted: true,
    });
    expect(deletedItems(weird)).toEqual([{ itemId: X, title: '', deletedAt: 0 }]);
  });
});

describe('HistoryIndex', () => {
  it('extends its cache as the document moves on and gives the stateless answers', () => {
    const index = new HistoryIndex();
    let doc = newDoc();
    doc = at(doc, 10, (d) => insertItem(d, X, { title: 'Dune' }, 1));
    expect(index.itemHistory(doc, X).map((v) => v.summary)).toEqual(['Created']);
    doc = at(doc, 20, (d) => patchItem(d, X, { title: 'Dune 2' }, 2));
    const other = Automerge.clone(doc, { actor: ACTOR_B });
    doc = Automerge.merge(
      doc,
      at(other, 30, (d) => patchItem(d, X, { tags: ['t'] }, 3)),
    );
    expect(index.itemHistory(doc, X)).toEqual(itemHistory(doc, X));
    expect(index.timeline(doc, { limit: 3 })).toEqual(collectionTimeline(doc, { limit: 3 }));
    // A document that does not continue the previous one starts the index over.
    const unrelated = at(newDoc(), 10, (d) => insertItem(d, X, { title: 'Emma' }, 1));
    expect(index.itemHistory(unrelated, X)).toEqual(itemHistory(unrelated, X));
    expect(index.itemHistory(doc, X)).toHaveLength(3);
  });
});

// ---- property: every version reads back as the state recorded right after that edit ----
