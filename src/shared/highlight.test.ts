import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText, highlightSegments, searchTerms } from './highlight.ts';

function marked(text: string, terms: readonly string[]): string[] {
  return highlightSegments(text, terms)
    .filter((s) => s.match)
    .map((s) => s.text);
}

describe('searchTerms', () => {
  it('splits on anything that is not a letter or digit, lowercases and folds diacritics', () => {
    expect(searchTerms('Café au-lait, 2 × NAÏVE! Ünïcödé; 東京 tower')).toEqual([
      'cafe',
      'au',
      'lait',
      '2',
      'naive',
      'unicode',
      '東京',
      'tower',
    ]);
  });

  it('folds a decomposed accent like a composed one', () => {
    expect(searchTerms('e\u0301cole')).toEqual(searchTerms('\u00e9cole'));
    expect(foldText('\u00c9COLE')).toBe('ecole');
  });
});

describe('highlightSegments', () => {
  it('marks the start of a word that a term is a prefix of', () => {
    expect(highlightSegments('The Alphabet song', ['alp'])).toEqual([
      { text: 'The ', match: false },
      { text: 'Alp', match: true },
      { text: 'habet song', match: false },
    ]);
  });

  it('marks whole words, case-insensitively, every occurrence', () => {
    expect(marked('alpha ALPHA beta Alpha', ['alpha'])).toEqual(['alpha', 'ALPHA', 'Alpha']);
  });

  it('does not mark a term inside a word', () => {
    expect(marked('metalpha', ['alp'])).toEqual([]);
  });

  it('prefers the longest term, so marks never overlap', () => {
    expect(highlightSegments('alphabet', ['al', 'alpha'])).toEqual([
      { text: 'alpha', match: true },
      { text: 'bet', match: false },
    ]);
  });

  it('matches folded terms against accented text and keeps marks with their letter', () => {
    expect(marked('Un café à Paris', ['cafe'])).toEqual(['café']);
    expect(marked('e\u0301cole', ['e'])).toEqual(['e\u0301']);
    expect(marked('École', ['ecol'])).toEqual(['Écol']);
  });

  it('returns the text unmarked for no terms or blank terms', () => {
    expect(highlightSegments('hello', [])).toEqual([{ text: 'hello', match: false }]);
    expect(highlightSegments('hello', ['', ' - '])).toEqual([{ text: 'hello', match: false }]);
    expect(highlightSegments('', ['a'])).toEqual([]);
  });

  it('always joins back to the original text, with alternating, non-empty segments', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'B', 'é', 'e\u0301', ' ', '-', 'x', '1', 'Ω', '😀') }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'e', 'x', '1', 'ω') }), { maxLength: 4 }),
        (text, terms) => {
          const segments = highlightSegments(text, terms);
          expect(segments.map((s) => s.text).join('')).toBe(text);
          for (const [i, s] of segments.entries()) {
            expect(s.text).not.toBe('');
            if (i > 0) expect(s.match).not.toBe(segments[i - 1]?.match);
          }
          // Every marked piece, folded, starts with one of the terms.
          const wanted = terms.flatMap(searchTerms);
          for (const s of segments.filter((x) => x.match)) {
            expect(wanted.some((t) => foldText(s.text).startsWith(t))).toBe(true);
          }
        },
      ),
    );
  });
});
