// The warm-up's saved documents load to what warm-up-document.ts says they hold, and to the same
// content as building them now: a regenerated or edited blob that drifts fails here.

import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { warmUpDocuments } from './wasm-warmup.ts';

describe('warmUpDocuments', () => {
  it.each([
    ['small', 30],
    ['large', 200],
  ] as const)('the %s one holds %i items in bucket 00, as built from scratch', (which, count) => {
    const loaded = Automerge.load<{ buckets: Record<string, Record<string, Item>> }>(
      warmUpDocuments()[which],
    );
    const built = Automerge.from({ buckets: { '00': items(count) } });
    expect(plain(loaded)).toEqual(plain(built));
    const bucket = loaded.buckets['00']!;
    expect(Object.keys(bucket)).toHaveLength(count);
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

function items(count: number): Record<string, Item> {
  const out: Record<string, Item> = {};
  for (let i = 0; i < count; i++)
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
