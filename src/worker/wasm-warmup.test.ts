// The warm-up's saved document loads to what warm-up-document.ts says it holds, and to the same
// content as building it now: a regenerated or edited blob that drifts fails here.

import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { warmUpDocument } from './wasm-warmup.ts';

describe('warmUpDocument', () => {
  it('holds 200 items in bucket 00, as built from scratch', () => {
    const loaded = Automerge.load<{ buckets: Record<string, Record<string, Item>> }>(warmUpDocument());
    const built = Automerge.from({ buckets: { '00': items() } });
    expect(plain(loaded)).toEqual(plain(built));
    const bucket = loaded.buckets['00']!;
    expect(Object.keys(bucket)).toHaveLength(200);
    expect(bucket['item7']!.title).toBeInstanceOf(Automerge.ImmutableString);
    expect(String(bucket['item7']!.body)).toBe('The body of item 7');
  });
});

interface Item {
  title: Automerge.ImmutableString;
  body: Automerge.ImmutableString;
  tags: Record<string, boolean>;
  createdAt: number;
  updatedAt: number;
}

function items(): Record<string, Item> {
  const out: Record<string, Item> = {};
  for (let i = 0; i < 200; i++)
    out[`item${i}`] = {
      title: new Automerge.ImmutableString(`Title ${i}`),
      body: new Automerge.ImmutableString(`The body of item ${i}`),
      tags: { [`tag${i % 3}`]: true },
      createdAt: i,
      updatedAt: i,
    };
  return out;
}

/** JSON with ImmutableStrings as their text. */
function plain(doc: unknown): unknown {
  return JSON.parse(
    JSON.stringify(doc, (_key, value: unknown) =>
      value instanceof Automerge.ImmutableString ? `immutable:${String(value)}` : value,
    ),
  );
}
