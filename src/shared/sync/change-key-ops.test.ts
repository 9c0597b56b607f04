// The column reader against Automerge's own decoder: on changes of every shape a collection can
// see (items with an author as a plain value, as text, as a map, deleted; numbers, booleans, bytes,
// counters, timestamps, long and multi-byte strings, lists), and on changes with bytes flipped,
// it must give exactly the operations on a key that Automerge.decodeChange gives, or nothing.

import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeOperation } from '../access/authorship.ts';
import { changeHeaderOf } from './change-header.ts';
import { operationsOnKey } from './change-key-ops.ts';

type Doc = Record<string, unknown>;

describe('operationsOnKey', () => {
  it('reads the same operations on a key as Automerge.decodeChange', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 25 }), keyName, (edits, probed) => {
        const change = changeMaking(edits);
        const mine = operationsOnKey(change, changeHeaderOf(change)!, probed);
        expect(mine).toEqual(decodedOperationsOn(change, probed));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with Automerge or reads nothing when bytes of the columns are changed', async () => {
    let readAndDecoded = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(edit, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        async (edits, flips) => {
          const change = changeMaking(edits);
          const header = changeHeaderOf(change)!;
          const damaged = await withBytesChanged(change, header.end, flips);
          const mine = operationsOnKey(damaged, header, 'author');
          // Only what this reader read is compared; Automerge is not asked about the rest. One run in
          // many hit the 20 s test timeout: this reader is bounded (MAX_OPERATIONS), Automerge's
          // decoder on a damaged count is not.
          if (mine === undefined) return;
          let theirs: ChangeOperation[] | undefined;
          try {
            theirs = decodedOperationsOn(damaged, 'author');
          } catch {
            theirs = undefined; // a change Automerge refuses is never applied either
          }
          if (theirs !== undefined) {
            readAndDecoded++;
            expect(mine).toEqual(theirs);
          }
        },
      ),
      { numRuns: 400 },
    );
    // Not vacuous: many damaged changes stay valid (a flipped value byte, say) and were compared.
    expect(readAndDecoded).toBeGreaterThan(20);
  });

  it('reads nothing from a change with a deflated column, which Automerge refuses too', async () => {
    const change = changeMaking([{ key: 'author', value: 'did:key:z6MkOther', as: 'immutable' }]);
    const header = changeHeaderOf(change)!;
    const flagged = await withFirstColumnMarkedDeflated(change, header.end);
    expect(operationsOnKey(flagged, header, 'author')).toBeUndefined();
    expect(() => Automerge.decodeChange(flagged)).toThrow();
  });

  it('reads nothing from a truncated change', () => {
    const change = changeMaking([{ key: 'author', value: 'did:key:z6MkOther', as: 'immutable' }]);
    const header = changeHeaderOf(change)!;
    expect(operationsOnKey(change.subarray(0, change.length - 3), header, 'author')).toBeUndefined();
  });
});

// ---- helpers ----

interface Edit {
  /** The item the edit writes into (several edits may share one). */
  item?: number;
  key: string;
  value: unknown;
  as: 'immutable' | 'text' | 'map' | 'list' | 'plain' | 'counter' | 'delete';
}

const keyName = fc.constantFrom('author', 'title', 'tags', 'autho', 'authors', 'äuthor', '');
const edit: fc.Arbitrary<Edit> = fc.record({
  item: fc.integer({ min: 0, max: 3 }),
  key: keyName,
  value: fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 200, maxLength: 1500 }),
    fc.integer(),
    // Within what decodeChange can give back as a JavaScript number.
    fc.double({ noNaN: true, min: -1e12, max: 1e12 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 20 }),
    fc.date({ noInvalidDate: true }),
  ),
  as: fc.constantFrom('immutable', 'text', 'map', 'list', 'plain', 'counter', 'delete'),
});

/** The last change of a document made by `edits`, after a first change that set everything up. */
function changeMaking(edits: readonly Edit[]): Uint8Array {
  let doc = Automerge.from<Doc>({ items: { i0: { author: 'x' }, i1: {}, i2: {}, i3: { tags: {} } } });
  doc = Automerge.change(doc, { message: 'pinax-author did:key:z6MkMe' }, (d) => {
    const items = d.items as Record<string, Record<string, unknown>>;
    for (const { item = 0, key, value, as } of edits) {
      const target = items[`i${item}`]!;
      if (as === 'delete') delete target[key];
      else if (as === 'immutable') target[key] = new Automerge.ImmutableString(String(value));
      else if (as === 'text') target[key] = String(value);
      else if (as === 'map') target[key] = { [key]: new Automerge.ImmutableString(String(value)) };
      else if (as === 'list') target[key] = [value, key];
      else if (as === 'counter') target[key] = new Automerge.Counter(typeof value === 'number' ? value : 1);
      else target[key] = value;
    }
  });
  return Automerge.getLastLocalChange(doc)!;
}

/** Automerge's view: the decoded operations on `key`, values kept when they are strings. */
function decodedOperationsOn(change: Uint8Array, key: string): ChangeOperation[] {
  return Automerge.decodeChange(change)
    .ops.filter((op) => 'key' in op && op.key === key)
    .map((op) => {
      const value: unknown = 'value' in op ? op.value : undefined;
      return typeof value === 'string' ? { action: op.action, key, value } : { action: op.action, key };
    });
}

/** `change` with bytes after its header replaced, and its checksum made right again. */
async function withBytesChanged(
  change: Uint8Array,
  headerEnd: number,
  flips: ReadonlyArray<readonly [number, number]>,
): Promise<Uint8Array> {
  const bytes = Uint8Array.from(change);
  const span = bytes.length - headerEnd;
  for (const [at, value] of flips) bytes[headerEnd + (at % span)] = value;
  return withChecksum(bytes);
}

/** `change` with the deflate bit set on its first column's spec (assumed one byte, as Automerge writes). */
async function withFirstColumnMarkedDeflated(change: Uint8Array, headerEnd: number): Promise<Uint8Array> {
  const bytes = Uint8Array.from(change);
  let at = headerEnd;
  const otherActors = bytes[at++]!; // small counts: one byte each
  for (let i = 0; i < otherActors; i++) at += 1 + bytes[at]!;
  at += 1; // column count
  bytes[at] = bytes[at]! | 0b1000;
  return withChecksum(bytes);
}

/** A change chunk's checksum: the first 4 bytes of the SHA-256 of its type, length and body. */
async function withChecksum(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice(8)));
  bytes.set(digest.subarray(0, 4), 4);
  return bytes;
}
