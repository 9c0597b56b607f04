import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SubscriptionPayloads } from '../shared/protocol.ts';
import type { SyncState, SyncStatus } from '../shared/types.ts';
import type { EngineClient } from './engine-client.ts';
import { whenEngineSettled } from './engine-settled.ts';

const TIMES = { quietMs: 500, capMs: 10_000 };

describe('whenEngineSettled', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(['Synced', 'Offline'] as const)(
    'resolves once the status has said %s with nothing indexing for the quiet spell, and unsubscribes',
    async (state) => {
      const engine = fakeEngine();
      const settled = track(whenEngineSettled(engine.client, TIMES));
      engine.status('Connecting');
      engine.indexing(0);
      engine.status('Syncing');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(settled.done).toBe(false);
      engine.status(state);
      await vi.advanceTimersByTimeAsync(499);
      expect(settled.done).toBe(false);
      expect(engine.subscribers()).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(settled.done).toBe(true);
      expect(engine.subscribers()).toBe(0);
    },
  );

  it('waits while a collection is being indexed, even when synced', async () => {
    const engine = fakeEngine();
    const settled = track(whenEngineSettled(engine.client, TIMES));
    engine.status('Synced');
    engine.indexing(0);
    await vi.advanceTimersByTimeAsync(300);
    // A collection just loaded starts indexing within the quiet spell: start over.
    engine.indexing(10_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(settled.done).toBe(false);
    engine.indexing(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(settled.done).toBe(true);
  });

  it('is not held back by edits that make the status say Syncing again after the first sync', async () => {
    const engine = fakeEngine();
    const settled = track(whenEngineSettled(engine.client, TIMES));
    engine.indexing(0);
    engine.status('Synced');
    for (let edit = 0; edit < 3; edit++) {
      await vi.advanceTimersByTimeAsync(150);
      engine.status('Syncing');
      await vi.advanceTimersByTimeAsync(50);
      engine.status('Synced');
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(settled.done).toBe(true);
  });

  it('does not settle before the engine has said anything about indexing', async () => {
    const engine = fakeEngine();
    const settled = track(whenEngineSettled(engine.client, TIMES));
    engine.status('Synced');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(settled.done).toBe(false);
  });

  it('resolves after the cap when the engine never settles, and unsubscribes', async () => {
    const engine = fakeEngine();
    const settled = track(whenEngineSettled(engine.client, TIMES));
    engine.status('Connecting');
    engine.indexing(0);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.done).toBe(true);
    expect(engine.subscribers()).toBe(0);
  });
});

/** An engine stand-in that serves only the sync status and the indexing progress. */
function fakeEngine() {
  const statusListeners = new Set<(status: SyncStatus) => void>();
  const progressListeners = new Set<(progress: SubscriptionPayloads['readModelProgress']) => void>();
  const client = {
    subscribe: ((sub: { type: string }, onData: (payload: never) => void) => {
      const listeners: Set<(payload: never) => void> =
        sub.type === 'syncStatus'
          ? statusListeners
          : sub.type === 'readModelProgress'
            ? progressListeners
            : new Set();
      expect(['syncStatus', 'readModelProgress']).toContain(sub.type);
      listeners.add(onData);
      return () => listeners.delete(onData);
    }) as EngineClient['subscribe'],
  };
  return {
    client,
    status: (state: SyncState) => {
      for (const listener of statusListeners)
        listener({
          state,
          relayUrl: 'ws://relay.test/sync',
          pendingDocuments: 0,
          lastSyncedAt: null,
          lastError: null,
          engineMode: 'shared-worker',
          holdsRelayConnection: true,
        });
    },
    indexing: (pending: number) => {
      for (const listener of progressListeners) listener({ pending, total: pending, collections: {} });
    },
    subscribers: () => statusListeners.size + progressListeners.size,
  };
}

function track(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}
