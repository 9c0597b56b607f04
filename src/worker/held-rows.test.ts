import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { holdRowsWhile } from './held-rows.ts';

describe('holdRowsWhile', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('passes rows on at once when not holding, and together every period while holding', () => {
    let holding = false;
    const passed: number[][] = [];
    const rows = holdRowsWhile<number>(
      () => holding,
      (r) => passed.push(r),
      100,
    );

    rows.add([1]);
    expect(passed).toEqual([[1]]);

    holding = true;
    rows.add([2, 3]);
    rows.add([4]);
    vi.advanceTimersByTime(99);
    expect(passed).toEqual([[1]]);
    vi.advanceTimersByTime(1);
    expect(passed).toEqual([[1], [2, 3, 4]]);

    // Holding ends: what was held goes out with the next rows, in order, and nothing twice.
    rows.add([5]);
    holding = false;
    rows.add([6]);
    expect(passed).toEqual([[1], [2, 3, 4], [5, 6]]);
    vi.advanceTimersByTime(500);
    expect(passed).toHaveLength(3);
  });

  it('drops held rows on dispose', () => {
    const passed: number[][] = [];
    const rows = holdRowsWhile<number>(
      () => true,
      (r) => passed.push(r),
      100,
    );
    rows.add([1]);
    rows.dispose();
    vi.advanceTimersByTime(500);
    expect(passed).toEqual([]);
  });
});
