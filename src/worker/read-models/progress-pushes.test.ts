import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RebuildProgress } from './indexing-progress.ts';
import { throttledProgress } from './progress-pushes.ts';

describe('throttledProgress', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes the first report at once, then the latest once per interval, and the end at once', () => {
    const source = progressSource();
    const pushed: number[] = [];
    const unsubscribe = throttledProgress(source.subscribe, (p) => pushed.push(p.pending), 100);
    expect(pushed).toEqual([1000]); // the report subscribing gives

    for (const pending of [900, 800, 700]) source.report(pending);
    expect(pushed).toEqual([1000]);
    vi.advanceTimersByTime(100);
    expect(pushed).toEqual([1000, 700]); // only the latest of the interval

    source.report(600);
    vi.advanceTimersByTime(50);
    source.report(0); // done: at once, and the held report is dropped
    expect(pushed).toEqual([1000, 700, 0]);
    vi.advanceTimersByTime(200);
    expect(pushed).toEqual([1000, 700, 0]);

    source.report(500); // a new rebuild, an interval after the last report: at once
    source.report(400); // held
    unsubscribe();
    vi.advanceTimersByTime(200);
    expect(pushed).toEqual([1000, 700, 0, 500]); // the held one never goes
    expect(source.listeners).toBe(0);
  });
});

/** A stand-in for ReadModels.subscribeProgress: reports at once on subscribe, as it does. */
function progressSource() {
  const listeners = new Set<(progress: RebuildProgress) => void>();
  const report = (pending: number) => {
    for (const listener of listeners) listener({ pending, total: 1000, collections: {} });
  };
  return {
    subscribe: (listener: (progress: RebuildProgress) => void) => {
      listeners.add(listener);
      listener({ pending: 1000, total: 1000, collections: {} });
      return () => listeners.delete(listener);
    },
    report,
    get listeners() {
      return listeners.size;
    },
  };
}
