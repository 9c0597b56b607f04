// The header reader against Automerge's own decoder, on changes of every shape it can meet: with and
// without a message (empty, multi-byte UTF-8, long), with no, one or several dependencies, negative
// and large times, small and large bodies.

import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeHeaderOf } from './change-header.ts';

type Doc = { notes: Record<string, string> };

describe('changeHeaderOf', () => {
  it('reads the same dependencies and message as Automerge.decodeChange', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'grapheme', maxLength: 300 }), { nil: undefined }),
        fc.integer({ min: 0, max: 3 }),
        fc.oneof(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.constant(Date.now())),
        fc.integer({ min: 1, max: 40 }),
        (message, branches, time, writes) => {
          // `branches` concurrent changes merged, so the probed change has that many dependencies.
          let doc = Automerge.from<Doc>({ notes: {} });
          const forks = Array.from({ length: branches }, (_, i) =>
            Automerge.change(Automerge.clone(doc), (d) => void (d.notes[`fork${i}`] = 'x')),
          );
          for (const fork of forks) doc = Automerge.merge(doc, fork);
          doc = Automerge.change(doc, { ...(message === undefined ? {} : { message }), time }, (d) => {
            for (let i = 0; i < writes; i++) d.notes[`k${i}`] = 'value '.repeat(i);
          });
          const change = Automerge.getLastLocalChange(doc)!;
          const decoded = Automerge.decodeChange(change);
          const header = changeHeaderOf(change);
          expect(header).toBeDefined();
          expect(header!.deps.sort()).toEqual([...decoded.deps].sort());
          expect(header!.message).toBe(decoded.message ?? null);
          expect(header!.time).toBe(decoded.time);
          // The header ends right after the message.
          const messageBytes = new TextEncoder().encode(decoded.message ?? '');
          expect(change.subarray(header!.end - messageBytes.length, header!.end)).toEqual(messageBytes);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads nothing from a whole-document chunk', () => {
    const doc = Automerge.from<Doc>({ notes: { a: 'b' } });
    expect(changeHeaderOf(Automerge.save(doc))).toBeUndefined();
  });

  it('throws on a truncated change', () => {
    const doc = Automerge.change(Automerge.from<Doc>({ notes: {} }), { message: 'hello' }, (d) => {
      d.notes['a'] = 'b';
    });
    const change = Automerge.getLastLocalChange(doc)!;
    expect(() => changeHeaderOf(change.subarray(0, 60))).toThrow(/truncated/);
  });
});
