import { afterEach, describe, expect, it, vi } from 'vitest';
import { ForegroundReads } from './foreground-reads.ts';

describe('ForegroundReads', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles after the current task when nothing is in flight', async () => {
    vi.useFakeTimers();
    const reads = new ForegroundReads();
    let settled = false;
    void reads.settled(1_000).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
  });

  it('waits for reads in flight, including one started in the same task', async () => {
    vi.useFakeTimers();
    const reads = new ForegroundReads();
    let settled = false;
    void reads.settled(1_000).then(() => (settled = true));
    // Started after settled() was asked, before its task boundary: a search resuming on `ready`.
    let finish!: (rows: string[]) => void;
    const read = reads.track(new Promise<string[]>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(500);
    expect(settled).toBe(false);
    finish(['row']);
    await expect(read).resolves.toEqual(['row']);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
  });

  it('settles a task after the last read ends: what that read queued as it ended goes first', async () => {
    vi.useFakeTimers();
    const reads = new ForegroundReads();
    const order: string[] = [];
    void reads.settled(1_000).then(() => order.push('settled'));
    let finish!: () => void;
    const read = reads.track(new Promise<void>((resolve) => (finish = resolve)));
    await vi.advanceTimersByTimeAsync(10);
    // Like a rebuild's end, which queues the complete search answer for the next task.
    setTimeout(() => order.push('queued by the read'), 0);
    finish();
    await read;
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['queued by the read', 'settled']);
  });

  it('keeps waiting when a read starts in the task between the last read ending and settling', async () => {
    vi.useFakeTimers();
    const reads = new ForegroundReads();
    let settled = false;
    void reads.settled(1_000).then(() => (settled = true));
    let finishFirst!: () => void;
    const first = reads.track(new Promise<void>((resolve) => (finishFirst = resolve)));
    await vi.advanceTimersByTimeAsync(10);
    let finishSecond!: () => void;
    setTimeout(() => void reads.track(new Promise<void>((resolve) => (finishSecond = resolve))), 0);
    finishFirst();
    await first;
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(false);
    finishSecond();
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
  });

  it('counts a failed read as done and passes its failure on', async () => {
    vi.useFakeTimers();
    const reads = new ForegroundReads();
    let fail!: (error: Error) => void;
    const read = reads.track(new Promise<never>((_, reject) => (fail = reject)));
    let settled = false;
    void reads.settled(1_000).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBe(false);
    fail(new Error('IndexedDB went away'));
    await expect(read).rejects.toThrow('IndexedDB went away');
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(true);
  });

  it('gives up waiting after maxWaitMs, so endless reads cannot hold work back', async () => {
    vi.useFakeTimers();
    const reads = new ForegroundReads();
    void reads.track(new Promise(() => undefined));
    let settled = false;
    void reads.settled(1_000).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(settled).toBe(true);
  });
});
