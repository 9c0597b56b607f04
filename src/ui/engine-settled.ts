// When the engine has done its start-up work, so work that can wait stays out of its way. The
// engine shares two cores with the tab and the browser: on a fresh device, the service worker's
// install (a new thread fetching and caching 4.3 MB, the Automerge wasm included) ran right in the
// middle of the engine loading and indexing a collection opened by link.

import type { EngineClient } from './engine-client.ts';

/**
 * Resolves once the engine has been settled for `quietMs`: its first exchange with the relay is over
 * (the sync status has said Synced or Offline once; later edits make it say Syncing again) and
 * nothing is being indexed. The quiet spell bridges the moment between a collection loading and its
 * indexing starting. After `capMs` it resolves whatever the engine is doing (a relay that never
 * answers, an engine that holds no relay connection).
 */
export function whenEngineSettled(
  client: Pick<EngineClient, 'subscribe'>,
  { quietMs, capMs }: { quietMs: number; capMs: number },
): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    let synced = false;
    let indexing = true; // until the engine says otherwise
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const ends: Array<() => void> = [];
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(cap);
      clearTimeout(quiet);
      for (const end of ends) end();
      resolve();
    };
    // The quiet spell starts when both hold and ends early only when one stops holding.
    const update = () => {
      const calm = synced && !indexing;
      if (calm && quiet === undefined) quiet = setTimeout(settle, quietMs);
      if (!calm) {
        clearTimeout(quiet);
        quiet = undefined;
      }
    };
    const cap = setTimeout(settle, capMs);
    ends.push(
      client.subscribe({ type: 'syncStatus' }, (status) => {
        synced ||= status.state === 'Synced' || status.state === 'Offline';
        update();
      }),
      client.subscribe({ type: 'readModelProgress' }, (progress) => {
        indexing = progress.pending > 0;
        update();
      }),
    );
  });
}
