// Property tests of item history: for random edits by one device, and by two devices merging now
// and then, every listed version reads back exactly the state recorded right after it was made.

import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemFields } from '../domain/collection-doc.ts';
import {
  bucketOf,
  insertItem,
  patchItem,
  readString,
  setBodyDoc,
  setDeleted,
  useConflictReader,
} from '../domain/collection-doc.ts';
import type { ItemSnapshot } from './item-history.ts';
import { HistoryIndex, itemAtVersion, itemHistory } from './item-history.ts';
import type { Body, Coll } from './test-support.ts';
import { ACTOR_A, ACTOR_B, at, editBody, lastHash, newDoc, sameHeads, seedBody } from './test-support.ts';

beforeAll(() => {
  useConflictReader((obj, prop) => Automerge.getConflicts(obj, prop));
});

type Command =
  | { kind: 'create'; item: number; title: string; tags: string[] }
  | { kind: 'patch'; item: number; title?: string; tags?: string[] }
  | { kind: 'delete'; item: number }
  | { kind: 'restore'; item: number }
  | { kind: 'snapshot'; item: number }
  | { kind: 'body'; item: number; text: string };

const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', '');
const tagSet = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 });
const item = fc.integer({ min: 0, max: 2 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('create' as const), item, title: word, tags: tagSet }),
    weight: 2,
  },
  {
    arbitrary: fc.record(
      { kind: fc.constant('patch' as const), item, title: word, tags: tagSet },
      { requiredKeys: ['kind', 'item'] },
    ),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const), item }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('snapshot' as const), item }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constant('body' as const), item, text: fc.string({ maxLength: 12 }) }),
    weight: 3,
  },
);

type Expected = Map<string, Array<{ id: string; summary: string; state: ItemSnapshot }>>;

/** The item as a device sees it in its own copy: what a version must read back as. */
function stateOf(doc: Coll, id: string, body?: Body): ItemSnapshot | undefined {
  const record = doc.buckets[bucketOf(id)]?.[id];
  if (!record) return undefined;
  return {
    title: readString(record.title),
    body: body ? body.text : readString(record.body),
    tags: Object.keys(record.tags).sort(),
    deleted: record.deletedAt !== undefined,
  };
}

function expectedSummary(before: ItemSnapshot, after: ItemSnapshot): string {
  const tags = [
    ...after.tags.filter((t) => !before.tags.includes(t)).map((t) => `+${t}`),
    ...before.tags.filter((t) => !after.tags.includes(t)).map((t) => `−${t}`),
  ];
  return [
    before.title !== after.title && 'Title changed',
    tags.length > 0 && `Tags: ${tags.join(' ')}`,
    !before.deleted && after.deleted && 'Deleted',
    before.deleted && !after.deleted && 'Restored',
  ]
    .filter((part) => part !== false)
    .join(', ');
}

/** Applies a collection command; returns the new document and the summary it should be listed with. */
function applyCommand(doc: Coll, cmd: Command, id: string, time: number): [Coll, string | undefined] {
  const before = stateOf(doc, id);
  let next = doc;
  if (cmd.kind === 'create') {
    if (before) return [doc, undefined];
    next = at(doc, time, (d) => insertItem(d, id, { title: cmd.title, tags: cmd.tags }, time));
    return [next, 'Created'];
  }
  if (!before) return [doc, undefined];
  if (cmd.kind === 'delete' || cmd.kind === 'restore') {
    next = at(doc, time, (d) => setDeleted(d, id, cmd.kind === 'delete', time));
  } else if (cmd.kind === 'patch') {
    const fields: ItemFields = {};
    if (cmd.title !== undefined) fields.title = cmd.title;
    if (cmd.tags !== undefined) fields.tags = cmd.tags;
    next = at(doc, time, (d) => patchItem(d, id, fields, time));
  }
  return sameHeads(next, doc) ? [doc, undefined] : [next, expectedSummary(before, stateOf(next, id)!)];
}

function checkAgainst(doc: Coll, expected: Expected, ids: string[], bodies = new Map<string, Body>()): void {
  for (const id of ids) {
    const body = bodies.get(id);
    const versions = itemHistory(doc, id, body);
    const wanted = [...(expected.get(id) ?? [])].reverse();
    expect(versions.map((v) => [v.id, v.summary])).toEqual(wanted.map((w) => [w.id, w.summary]));
    for (const { id: version, state } of wanted) expect(itemAtVersion(doc, id, body, version)).toEqual(state);
  }
}

function remember(expected: Expected, id: string, version: string, summary: string, state: ItemSnapshot) {
  const list = expected.get(id) ?? [];
  list.push({ id: version, summary, state });
  expected.set(id, list);
}

describe('property', () => {
  it('itemAtVersion(X, V) is the state recorded right after V was made', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 5, maxLength: 40, size: 'max' }), (commands) => {
        const ids = ['prop-0', 'prop-1', 'prop-2'];
        let doc = newDoc();
        const bodies = new Map<string, Body>();
        const expected: Expected = new Map();
        const index = new HistoryIndex();
        commands.forEach((cmd, step) => {
          const time = step + 1;
          const id = ids[cmd.item]!;
          const before = stateOf(doc, id, bodies.get(id));
          if (before && cmd.kind === 'body') {
            let body = bodies.get(id);
            if (!body) {
              body = seedBody(before.body, `${cmd.item}c`.repeat(16));
              doc = at(doc, time, (d) => setBodyDoc(d, id, `automerge:${id}`));
            }
            const edited = editBody(body, time, cmd.text);
            bodies.set(id, edited);
            if (!sameHeads(edited, body))
              remember(expected, id, `b:${lastHash(edited)}`, 'Body edited', stateOf(doc, id, edited)!);
          } else if (before && cmd.kind === 'snapshot') {
            // A copy of the body document into the collection: not a version of its own.
            const text = bodies.get(id)?.text;
            if (text !== undefined) doc = at(doc, time, (d) => patchItem(d, id, { body: text }, time));
          } else {
            const [next, summary] = applyCommand(doc, cmd, id, time);
            doc = next;
            if (summary)
              remember(expected, id, `c:${lastHash(doc)}`, summary, stateOf(doc, id, bodies.get(id))!);
          }
          // The long-lived index, asked as the document grows, must agree with a fresh one.
          expect(index.itemHistory(doc, id, bodies.get(id))).toEqual(itemHistory(doc, id, bodies.get(id)));
        });
        checkAgainst(doc, expected, ids, bodies);
      }),
      { numRuns: 80 },
    );
  });

  it('holds across two devices that edit concurrently and merge now and then', () => {
    const step = fc.oneof(
      { arbitrary: fc.record({ device: fc.constantFrom(0, 1), command }), weight: 5 },
      { arbitrary: fc.constant('sync' as const), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 40, size: 'max' }), (steps) => {
        const ids = ['prop-0', 'prop-1', 'prop-2'];
        const devices = [newDoc(ACTOR_A), newDoc(ACTOR_B)];
        const expected: Expected = new Map();
        steps.forEach((entry, index) => {
          if (entry === 'sync') {
            devices[0] = Automerge.merge(devices[0]!, devices[1]!);
            devices[1] = Automerge.merge(devices[1]!, devices[0]);
            return;
          }
          const { device, command: cmd } = entry;
          if (cmd.kind === 'body' || cmd.kind === 'snapshot') return;
          const id = ids[cmd.item]!;
          const [next, summary] = applyCommand(devices[device]!, cmd, id, index + 1);
          devices[device] = next;
          if (summary) remember(expected, id, `c:${lastHash(next)}`, summary, stateOf(next, id)!);
        });
        checkAgainst(Automerge.merge(devices[0]!, devices[1]!), expected, ids);
      }),
      { numRuns: 60 },
    );
  });
});
