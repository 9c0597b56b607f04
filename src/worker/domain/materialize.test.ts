import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeSnippet, SNIPPET_CHARS } from './materialize.ts';

/** The definition: fold all whitespace of the whole body, then cut. */
function snippetOfWholeBody(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS - 1)}…` : flat;
}

describe('makeSnippet', () => {
  it('equals folding the whole body, for bodies of words and long runs of space', () => {
    const piece = fc.oneof(
      fc.stringMatching(/^[a-zé]{1,12}$/),
      fc.constantFrom(' ', '\n', '\t \n'),
      fc.integer({ min: 1, max: 3_000 }).map((n) => ' '.repeat(n)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => {
        const body = pieces.join('');
        expect(makeSnippet(body)).toBe(snippetOfWholeBody(body));
      }),
      { numRuns: 500 },
    );
  });

  it('cuts a long body to the snippet length with an ellipsis', () => {
    const snippet = makeSnippet(`${'\n'.repeat(5_000)}${'word '.repeat(20_000)}`);
    expect(snippet).toHaveLength(SNIPPET_CHARS);
    expect(snippet.startsWith('word word')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
  });
});
