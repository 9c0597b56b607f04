// "This table changed", for every engine of the profile. Dexie's liveQuery did this job for the
// sidebar list, but its observability middleware pays on every write to every table: it tracks the
// written keys of each index in range sets and posts them on a BroadcastChannel when the
// transaction commits. Measured on the tab-to-tab edit loop, that was about a quarter of the
// engine's CPU per keystroke (16.2 -> 12.8 ms), for one small table that changes a few times a
// second at most. So the engine switches that middleware off (db.ts) and the table's writer says
// when it wrote.

import { makeLogger } from '../shared/log.ts';

export interface TableChangeFeed {
  /** Call after a committed write: tells this engine's listeners and every other engine's. */
  notify(): void;
  /** Returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/**
 * `channelName` names the table in its database: every engine opening the same database and table
 * must pass the same name (the BroadcastChannel fallback runs one engine per tab).
 */
export function tableChangeFeed(channelName: string): TableChangeFeed {
  const listeners = new Set<() => void>();
  const fire = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        log.error('change listener failed', error);
      }
    }
  };
  // A BroadcastChannel never delivers to itself, so local listeners are called directly.
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(channelName);
  // The message carries nothing: whatever another engine sends, it can only mean "look again".
  if (channel) channel.onmessage = fire;
  // Node's BroadcastChannel (unit tests) would otherwise keep the process alive.
  (channel as { unref?: () => void } | undefined)?.unref?.();
  return {
    notify() {
      fire();
      channel?.postMessage(null);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const log = makeLogger('pinax:table-feed');
