import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncState, SyncStatus } from '../shared/types.ts';
import type { EngineClient } from './engine-client.ts';
import { whenEngineSettled } from './engine-settled.ts';

describe('whenEngineSettled', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(['Synced', 'Offline'] as const)(
    'resolves once the status says %s, and unsubscribes',
    async (state) => {
      const engine = statusFeed();
      const settled = track(whenEngineSettled(engine.client, 10_000));
      engine.push('Connecting');
      engine.push('Syncing');
      await vi.advanceTimersByTimeAsync(5_000);
      expect(settled.done).toBe(false);
      expect(engine.subscribers()).toBe(1);
      engine.push(state);
      await vi.advanceTimersByTimeAsync(0);
      expect(settled.done).toBe(true);
      expect(engine.subscribers()).toBe(0);
    },
  );

  it('resolves after the cap when the engine never settles, and unsubscribes', async () => {
    const engine = statusFeed();
    const settled = track(whenEngineSettled(engine.client, 10_000));
    engine.push('Connecting');
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled.done).toBe(true);
    expect(engine.subscribers()).toBe(0);
  });

  it('unsubscribes even when the first payload arrives during subscribe', async () => {
    const engine = statusFeed('Synced');
    const settled = track(whenEngineSettled(engine.client, 10_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled.done).toBe(true);
    expect(engine.subscribers()).toBe(0);
  });
});

/** An engine stand-in that only serves the sync status subscription. */
function statusFeed(immediate?: SyncState) {
  const listeners = new Set<(status: SyncStatus) => void>();
  const statusOf = (state: SyncState): SyncStatus => ({
    state,
    relayUrl: 'ws://relay.test/sync',
    pendingDocuments: 0,
    lastSyncedAt: null,
    lastError: null,
    engineMode: 'shared-worker',
    holdsRelayConnection: true,
  });
  const client = {
    subscribe: ((sub: { type: string }, onData: (payload: SyncStatus) => void) => {
      expect(sub).toEqual({ type: 'syncStatus' });
      listeners.add(onData);
      if (immediate) onData(statusOf(immediate));
      return () => listeners.delete(onData);
    }) as EngineClient['subscribe'],
  };
  return {
    client,
    push: (state: SyncState) => {
      for (const listener of listeners) listener(statusOf(state));
    },
    subscribers: () => listeners.size,
  };
}

function track(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}
