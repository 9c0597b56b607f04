// The column reader against Automerge's own decoder: on changes of every shape a collection can
// see (items with an author as a plain value, as text, as a map, deleted; numbers, booleans, bytes,
// counters, timestamps, long and multi-byte strings, lists), and on changes with bytes flipped,
// it must give exactly the operations on a key that Automerge.decodeChange gives, or nothing.

import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeHeaderOf } from './change-header.ts';
import { operationsOnKey } from './change-key-ops.ts';
import {
  changeMaking,
  decodedOperationsOn,
  edit,
  keyName,
  withFirstColumnMarkedDeflated,
} from './change-test-support.ts';

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
