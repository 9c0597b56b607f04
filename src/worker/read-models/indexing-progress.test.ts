import { describe, expect, it } from 'vitest';
import { IndexingProgress, type RebuildProgress } from './indexing-progress.ts';

describe('IndexingProgress', () => {
  it('reports start-up gaps until a rebuild takes them over, then counts the rebuild down', () => {
    const progress = new IndexingProgress();
    const seen: RebuildProgress[] = [];
    const unsubscribe = progress.subscribe((report) => seen.push(report));
    expect(seen).toEqual([{ pending: 0, total: 0, collections: {} }]);
    expect(progress.indexing).toBe(false);

    progress.setGaps(
      new Map([
        ['a', { pending: 40, total: 100 }],
        ['b', { pending: 5, total: 5 }],
      ]),
    );
    expect(progress.indexing).toBe(true);
    expect(progress.report()).toEqual({
      pending: 45,
      total: 105,
      collections: { a: { pending: 40, total: 100 }, b: { pending: 5, total: 5 } },
    });

    progress.beginRebuild('a', 100);
    expect(progress.isRebuilding('a')).toBe(true);
    expect(progress.anyRebuilding).toBe(true);
    expect(progress.report().collections['a']).toEqual({ pending: 100, total: 100 });
    progress.advanceRebuild('a', 60);
    progress.advanceRebuild('a', 60); // never below zero
    expect(seen.at(-1)?.collections['a']).toEqual({ pending: 0, total: 100 });

    progress.endRebuild('a');
    progress.closeGap('b');
    expect(seen.at(-1)).toEqual({ pending: 0, total: 0, collections: {} });
    expect(progress.indexing).toBe(false);
    expect(progress.anyRebuilding).toBe(false);

    const count = seen.length;
    unsubscribe();
    progress.beginRebuild('c', 3);
    progress.advanceRebuild('c', 1);
    expect(seen).toHaveLength(count);
  });

  it('tells listeners nothing when closing a gap that is not there', () => {
    const progress = new IndexingProgress();
    let calls = 0;
    progress.subscribe(() => calls++);
    progress.closeGap('missing');
    expect(calls).toBe(1); // the report pushed on subscribe
  });
});
