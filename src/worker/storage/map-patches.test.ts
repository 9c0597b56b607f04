// The patched Automerge keeps a document's JS value current in JavaScript for changes that only put
// scalars, strings and new maps into maps or delete map keys (patches/README.md). Its value must be
// exactly what Automerge builds itself: the same keys and values, ImmutableStrings marked as
// `materialize` marks them, the object ids, and the new document's metadata on every copied object;
// and the document before the change must be left as it was. Random changes, merges of concurrent
// ones (conflicts) and the patch kinds that fall back to the wasm applier are all checked.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const STATE = Symbol.for('_am_meta');
const OBJECT_ID = Symbol.for('_am_objectId');
const DATATYPE = Symbol.for('_am_datatype_');
const RAW_VALUE = Symbol.for('_am_raw_value_');

type Doc = Automerge.Doc<Record<string, unknown>>;

describe('JS values kept current by the patched applier', () => {
  it('is the patched build', () => {
    // Node resolves `import '@automerge/automerge'` to the ESM build, the one patched.
    const dist = path.dirname(require.resolve('@automerge/automerge/automerge.wasm'));
    expect(readFileSync(path.join(dist, 'mjs/implementation.js'), 'utf8')).toContain(
      'applyAndReturnPatchesFast',
    );
  });

  it('gives the value Automerge materializes, after any sequence of map edits and merges', () => {
    fc.assert(
      fc.property(fc.array(editArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (edits, withList) => {
        let left: Doc = Automerge.from<Record<string, unknown>>({ buckets: { a: {}, b: {} } });
        let right: Doc = Automerge.clone(left);
        if (withList) left = Automerge.change(left, (d) => void (d['list'] = [1, 2]));
        for (const edit of edits) {
          const before = left;
          const snapshot = describeValue(before);
          if (edit.kind === 'merge') {
            right = applyEdit(right, edit.inner);
            left = Automerge.merge(left, right);
            right = Automerge.merge(right, left);
          } else {
            left = applyEdit(left, edit);
          }
          expectMaterialized(left);
          // The document before the change is untouched, as with the wasm applier.
          expect(describeValue(before)).toEqual(snapshot);
        }
        expectMaterialized(right);
      }),
      { numRuns: 150 },
    );
  });

  it('falls back to the wasm applier for lists, text and counters, and stays exact', () => {
    let doc: Doc = Automerge.from<Record<string, unknown>>({ m: { a: new Automerge.ImmutableString('x') } });
    doc = Automerge.change(doc, (d) => {
      (d['m'] as Record<string, unknown>)['list'] = ['one'];
      d['text'] = 'hello';
      d['count'] = new Automerge.Counter(1);
      d['when'] = new Date(5);
      d['big'] = new Automerge.Uint(3);
    });
    expectMaterialized(doc);
    doc = Automerge.change(doc, (d) => {
      ((d['m'] as Record<string, unknown>)['list'] as string[]).push('two');
      Automerge.splice(d, ['text'], 5, 0, ' world');
      (d['m'] as Record<string, unknown>)['a'] = new Automerge.ImmutableString('y');
    });
    expectMaterialized(doc);
    expect(doc['text']).toBe('hello world');
  });

  it('marks the previous document outdated and the new one current', () => {
    const doc: Doc = Automerge.from<Record<string, unknown>>({ m: { n: 1 } });
    const next = Automerge.change(doc, (d) => void ((d['m'] as Record<string, number>)['n'] = 2));
    expect(() => Automerge.change(doc, (d) => void (d['x'] = 1))).toThrow(/outdated/);
    expect(Automerge.change(next, (d) => void (d['x'] = 1))['x']).toBe(1);
    expect((doc['m'] as Record<string, number>)['n']).toBe(1);
  });

  it('gives copied objects the new metadata, so conflicts read from them are current', () => {
    const base: Doc = Automerge.from<Record<string, unknown>>({ buckets: { a: { i1: { title: 'x' } } } });
    const edit = (doc: Doc, title: string) =>
      Automerge.change(doc, (d) => {
        const buckets = d['buckets'] as Record<string, Record<string, Record<string, unknown>>>;
        buckets['a']!['i1']!['title'] = new Automerge.ImmutableString(title);
      });
    const merged = Automerge.merge(edit(base, 'left'), edit(Automerge.clone(base), 'right'));
    const item = (merged['buckets'] as Record<string, Record<string, Record<string | symbol, unknown>>>)[
      'a'
    ]!['i1']!;
    expect(item[STATE]).toBe((merged as Record<symbol, unknown>)[STATE]);
    expect(Object.keys(Automerge.getConflicts(item, 'title') ?? {})).toHaveLength(2);
    expectMaterialized(merged);
  });
});

type MapEdit =
  | { kind: 'put'; bucket: string; item: string; field: string; value: Scalar }
  | { kind: 'newItem'; bucket: string; item: string; title: string }
  | { kind: 'delete'; bucket: string; item: string; field: string | null };
type Edit = MapEdit | { kind: 'merge'; inner: MapEdit };
type Scalar = { string: string } | number | boolean | null;

const keyArb = fc.constantFrom('i1', 'i2', 'i3', '10', '7');
const bucketArb = fc.constantFrom('a', 'b');
const fieldArb = fc.constantFrom('title', 'updatedAt', 'flag', 'note');
const scalarArb: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ maxLength: 6 }).map((string) => ({ string })),
  fc.integer({ min: -5, max: 1e9 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const mapEditArb: fc.Arbitrary<MapEdit> = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    bucket: bucketArb,
    item: keyArb,
    field: fieldArb,
    value: scalarArb,
  }),
  fc.record({
    kind: fc.constant('newItem' as const),
    bucket: bucketArb,
    item: keyArb,
    title: fc.string({ maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    bucket: bucketArb,
    item: keyArb,
    field: fc.option(fieldArb),
  }),
);
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: mapEditArb },
  { weight: 1, arbitrary: mapEditArb.map((inner) => ({ kind: 'merge' as const, inner })) },
);

function applyEdit(doc: Doc, edit: MapEdit): Doc {
  return Automerge.change(doc, (d) => {
    const buckets = d['buckets'] as Record<string, Record<string, Record<string, unknown>>>;
    const bucket = buckets[edit.bucket]!;
    if (edit.kind === 'newItem') {
      bucket[edit.item] = { title: new Automerge.ImmutableString(edit.title), tags: { x: true } };
      return;
    }
    const item = bucket[edit.item];
    if (edit.kind === 'delete') {
      if (edit.field === null) delete bucket[edit.item];
      else if (item) delete item[edit.field];
      return;
    }
    if (!item) return;
    const value = edit.value;
    item[edit.field] =
      value !== null && typeof value === 'object' ? new Automerge.ImmutableString(value.string) : value;
  });
}

/** Compares `doc` with what Automerge builds from the backend, metadata included. */
function expectMaterialized(doc: Doc): void {
  const backend = Automerge.getBackend(doc);
  const expected = backend.materialize('/', undefined, {}) as Record<string | symbol, unknown>;
  const state = (doc as Record<symbol, unknown>)[STATE];
  expect(describeValue(doc)).toEqual(describeValue(expected));
  expect(state).toBeDefined();
  expect((doc as Record<symbol, unknown>)[OBJECT_ID]).toBe('_root');
}

/** A value as plain data: keys as a sorted set, ids, datatypes and ImmutableString markings. */
function describeValue(value: unknown): unknown {
  if (Automerge.isImmutableString(value)) {
    const marked = value as unknown as Record<symbol, unknown>;
    return { str: value.val, raw: marked[RAW_VALUE], type: marked[DATATYPE] };
  }
  if (value instanceof Date) return { date: value.getTime() };
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string | symbol, unknown>;
    const entries = Object.keys(object)
      .sort()
      .map((key) => [key, describeValue(object[key])]);
    return { id: object[OBJECT_ID], type: object[DATATYPE], array: Array.isArray(value), entries };
  }
  return typeof value === 'bigint' ? { bigint: String(value) } : value;
}
