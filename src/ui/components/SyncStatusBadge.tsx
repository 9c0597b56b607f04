import type { JSX } from 'solid-js';
import { Show, createSignal } from 'solid-js';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';

/** Offline / Connecting / Syncing / Synced, with the details one click away. */
export function SyncStatusBadge(): JSX.Element {
  const status = createEngineSubscription(useEngine(), { type: 'syncStatus' });
  const [open, setOpen] = createSignal(false);
  const state = () => status()?.state ?? (navigator.onLine ? 'Connecting' : 'Offline');

  return (
    <div class="sync">
      <div role="status" aria-label="Sync status" class={`sync-state sync-${state().toLowerCase()}`}>
        {state()}
      </div>
      <button class="ghost small" aria-expanded={open()} onClick={() => setOpen((v) => !v)}>
        Sync details
      </button>
      <Show when={open() && status()}>
        {(s) => (
          <dl class="sync-details" aria-label="Sync details">
            <dt>Relay</dt>
            <dd>{s().relayUrl ?? 'none'}</dd>
            <dt>Last synced</dt>
            <dd>{s().lastSyncedAt ? new Date(s().lastSyncedAt ?? 0).toLocaleTimeString() : 'not yet'}</dd>
            <dt>Waiting for the relay</dt>
            <dd>{s().pendingDocuments} documents</dd>
            <dt>Engine</dt>
            <dd>
              {s().engineMode === 'shared-worker' ? 'shared by all tabs' : 'one per tab (fallback)'}
              {s().holdsRelayConnection ? ', holds the relay connection' : ''}
            </dd>
            <Show when={s().lastError}>
              <dt>Last problem</dt>
              <dd>{s().lastError}</dd>
            </Show>
          </dl>
        )}
      </Show>
    </div>
  );
}
