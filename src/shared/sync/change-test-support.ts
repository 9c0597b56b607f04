// Changes of every shape a collection can see, and ways to damage them: what the tests of the
// column reader (change-key-ops.ts) feed it, beside Automerge's own decoder as the oracle.

import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import type { ChangeOperation } from '../access/authorship.ts';

type Doc = Record<string, unknown>;

export interface Edit {
  /** The item the edit writes into (several edits may share one). */
  item?: number;
  key: string;
  value: unknown;
  as: 'immutable' | 'text' | 'map' | 'list' | 'plain' | 'counter' | 'delete';
}

export const keyName = fc.constantFrom('author', 'title', 'tags', 'autho', 'authors', 'äuthor', '');
export const edit: fc.Arbitrary<Edit> = fc.record({
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
export function changeMaking(edits: readonly Edit[]): Uint8Array {
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
export function decodedOperationsOn(change: Uint8Array, key: string): ChangeOperation[] {
  return Automerge.decodeChange(change)
    .ops.filter((op) => 'key' in op && op.key === key)
    .map((op) => {
      const value: unknown = 'value' in op ? op.value : undefined;
      return typeof value === 'string' ? { action: op.action, key, value } : { action: op.action, key };
    });
}

/** `change` with bytes after its header replaced, and its checksum made right again. */
export async function withBytesChanged(
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
export async function withFirstColumnMarkedDeflated(
  change: Uint8Array,
  headerEnd: number,
): Promise<Uint8Array> {
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
