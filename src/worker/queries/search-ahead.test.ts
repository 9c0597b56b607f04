// Answers ahead of the next keystroke: which queries one more character can make (from the index's
// own words), and the answers themselves, worked out one task each and stopped on demand.

import { describe, expect, it } from 'vitest';
import type { SearchResults } from '../../shared/queries.ts';
import { searchAnswerKey } from '../../shared/search-key.ts';
import { doc, indexOf } from '../search/test-support.ts';
import { answerAhead, nextQueries } from './search-ahead.ts';

const index = indexOf([
  doc('c1', 'a', 'Meadow walk', 'Morning dew on the grass.', ['outdoors']),
  doc('c1', 'b', 'Meals to cook', 'Lentils and rice.', ['food']),
  doc('c1', 'c', 'Un café à Paris', 'Croissants, 東京 next year.', ['trips']),
  doc('c2', 'd', 'Zebra crossing', 'Stripes.', ['town']),
]);

describe('nextQueries', () => {
  it('continues the last word with each character a term continues it with', () => {
    expect(nextQueries(index, 'mea').sort()).toEqual(['mead', 'meal']);
    // As typed, not folded: the tab looks answers up by searchAnswerKey, which folds.
    expect(nextQueries(index, 'Walk Mea').sort()).toEqual(['Walk Mead', 'Walk Meal']);
    expect(nextQueries(index, 'caf')).toEqual(['cafe']);
    expect(nextQueries(index, 'meadow')).toEqual([]);
    expect(nextQueries(index, 'mex')).toEqual([]);
  });

  it('starts a new word after a separator or in an empty box, likeliest letters first', () => {
    const firsts = nextQueries(index, '');
    expect(new Set(firsts).size).toBe(firsts.length);
    expect(firsts).toEqual(expect.arrayContaining(['m', 'w', 'c', 'z', '東']));
    // "e" before "t" before "z", and anything outside a-z and digits last.
    expect(firsts.indexOf('e')).toBeLessThan(firsts.indexOf('t'));
    expect(firsts.indexOf('t')).toBeLessThan(firsts.indexOf('z'));
    expect(firsts.at(-1)).toBe('東');
    expect(nextQueries(index, 'meadow ').map((q) => q.slice('meadow '.length))).toEqual(firsts);
    expect(nextQueries(index, 'meadow, ')).toEqual(firsts.map((c) => `meadow, ${c}`));
    expect(nextQueries(index, '', 3)).toEqual(firsts.slice(0, 3));
    // A word past the ones the index reads would change nothing; the last one read still can.
    expect(nextQueries(index, 'meadow '.repeat(8))).toEqual([]);
    expect(nextQueries(index, `${'meadow '.repeat(7)}mea`).length).toBe(2);
  });

  it('gives queries whose answers a tab finds under the key of what the user types', () => {
    // "Mead" typed after "Mea" is the query worked out as "Mead"; "MeaD" folds the same way.
    const worked = nextQueries(index, 'Mea').map((q) => searchAnswerKey({ query: q }));
    expect(worked).toContain(searchAnswerKey({ query: 'MeaD' }));
  });
});

describe('answerAhead', () => {
  it('answers each query in turn, marked ahead, until cancelled', async () => {
    const asked: string[] = [];
    const pushed: SearchResults[] = [];
    let cancel = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      cancel = answerAhead(
        ['a', 'b', 'c', 'd'],
        (query) => {
          asked.push(query);
          return Promise.resolve(answerFor(query));
        },
        (results) => {
          pushed.push(results);
          if (results.query === 'b') {
            cancel();
            resolve();
          }
        },
      );
    });
    // Nothing runs in the task that started the round: it yields first.
    expect(asked).toEqual([]);
    await done;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked).toEqual(['a', 'b']);
    expect(pushed.map((r) => [r.query, r.ahead])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  it('stops a round after an answer that took long (a large index)', async () => {
    const pushed: string[] = [];
    answerAhead(
      ['slow', 'next'],
      (query) => {
        const until = performance.now() + 20;
        while (performance.now() < until); // a query that takes 20 ms of engine time
        return Promise.resolve(answerFor(query));
      },
      (results) => pushed.push(results.query),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pushed).toEqual(['slow']);
  });
});

function answerFor(query: string): SearchResults {
  return { query, total: 0, hits: [], facets: [], tookMs: 0, indexing: { pending: 0, total: 0 } };
}
