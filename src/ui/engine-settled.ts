// When the engine has done its start-up work, so work that can wait stays out of its way. The
// engine shares two cores with the tab and the browser: on a fresh device, the service worker's
// install (a new thread fetching and caching 4.3 MB, the Automerge wasm included) ran right in the
// middle of the engine loading and indexing a collection opened by link.

import type { EngineClient } from './engine-client.ts';

/**
 * Resolves once the engine's first exchange with the relay is over (the sync status says Synced or
 * Offline), or after `capMs` whatever the status (a relay that never answers, an engine that holds
 * no relay connection).
 */
export function whenEngineSettled(client: Pick<EngineClient, 'subscribe'>, capMs: number): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    // Filled in once subscribe() returns: a first payload delivered during the call settles before.
    const subscription: { end?: () => void } = {};
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      subscription.end?.();
      resolve();
    };
    const timer = setTimeout(settle, capMs);
    subscription.end = client.subscribe({ type: 'syncStatus' }, (status) => {
      if (status.state === 'Synced' || status.state === 'Offline') settle();
    });
    // Settled by a synchronous first payload: the subscription was not there to end yet.
    if (settled) subscription.end();
  });
}
