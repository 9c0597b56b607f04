import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownToText } from './markdown-text.ts';
import { makeSnippet, SNIPPET_CHARS } from './materialize.ts';

/** The definition: the plain text of the whole body, all whitespace folded, then cut. */
function snippetOfWholeBody(body: string): string {
  const flat = markdownToText(body).replace(/\s+/g, ' ').trim();
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

  it('equals the plain text of the whole body, for Markdown bodies', () => {
    // Lines stay within the 256 characters a snippet reads past its window to finish a line: only a
    // longer line can be cut inside its markup (and then only show a piece of it if much of the
    // line before was markup).
    const word = fc.stringMatching(/^[a-z]{1,10}$/);
    const inline = fc.oneof(
      word,
      word.map((w) => `**${w}**`),
      word.map((w) => `_${w}_`),
      fc.tuple(word, word).map(([text, target]) => `[${text} ${text}](https://example.com/${target})`),
      word.map((w) => `\`${w}\``),
    );
    const line = fc
      .tuple(
        fc.constantFrom('', '# ', '## ', '- ', '1. ', '> ', '- [ ] '),
        fc.array(inline, { minLength: 1, maxLength: 8, size: 'max' }),
      )
      .map(([marker, words]) => marker + words.join(' '))
      .filter((line) => line.length <= 256);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const body = lines.join('\n');
        expect(makeSnippet(body)).toBe(snippetOfWholeBody(body));
        expect(makeSnippet(body)).not.toMatch(/\*\*|\]\(|`|^#/);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads on to the end of the line, so markup at the edge of its window is not cut in two', () => {
    // The window (SNIPPET_CHARS + 32 = 192) ends inside the second link, which starts early enough
    // in the text to show.
    const before = `[a](https://x.io/aaaaaa) ${'word '.repeat(29)}`;
    const body = `${before}[bird watching](https://example.com/birds) at dawn`;
    expect(before.length).toBe(170);
    const snippet = makeSnippet(body);
    expect(snippet).toBe(`a ${'word '.repeat(29)}bird watchin…`);
    expect(snippet).toBe(snippetOfWholeBody(body));
  });

  it('cuts a long body to the snippet length with an ellipsis', () => {
    const snippet = makeSnippet(`${'\n'.repeat(5_000)}${'word '.repeat(20_000)}`);
    expect(snippet).toHaveLength(SNIPPET_CHARS);
    expect(snippet.startsWith('word word')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
  });
});
