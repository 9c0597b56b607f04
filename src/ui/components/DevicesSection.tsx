import type { JSX } from 'solid-js';
import { For, Show, createSignal } from 'solid-js';
import type { DeviceView } from '../../shared/queries.ts';
import { errorMessage } from '../engine-client.ts';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';

/**
 * "Your devices", in the You dialog: every device that acts as you, and revoking one. Revoking
 * asks once more, because it cannot be undone: the device stops syncing as you at once, though it
 * keeps what it already has.
 */
export function DevicesSection(): JSX.Element {
  const engine = useEngine();
  const devices = createEngineSubscription(engine, { type: 'devices' });
  const [confirming, setConfirming] = createSignal<string | null>(null);
  const [status, setStatus] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  const revoke = async (device: DeviceView) => {
    setError(null);
    setStatus(`Revoking “${device.label}”…`);
    try {
      await engine.command({ type: 'revokeDevice', device: device.device });
      setStatus(`“${device.label}” is revoked. It keeps what it already had, and syncs nothing more as you.`);
    } catch (failure) {
      setStatus(null);
      setError(errorMessage(failure));
    } finally {
      setConfirming(null);
    }
  };

  return (
    <section aria-labelledby="devices-title">
      <h3 id="devices-title">Your devices</h3>
      <ul class="device-list" aria-label="Your devices">
        <For each={devices() ?? []}>
          {(device) => (
            <li>
              <span>{device.label}</span>
              <span class="muted">
                {device.current ? ' (this device)' : ''}
                {device.revoked ? ' (revoked)' : ''}
              </span>
              <Show when={!device.current && !device.revoked}>
                <Show
                  when={confirming() === device.device}
                  fallback={
                    <button class="ghost" onClick={() => setConfirming(device.device)}>
                      Revoke {device.label}
                    </button>
                  }
                >
                  <button class="danger" onClick={() => void revoke(device)}>
                    Yes, revoke {device.label}
                  </button>
                  <button class="ghost" onClick={() => setConfirming(null)}>
                    Keep it
                  </button>
                </Show>
              </Show>
            </li>
          )}
        </For>
      </ul>
      {/* Only while there is news: the dialog's own status line stays the one status at rest. */}
      <Show when={status()}>
        <p role="status" class="muted">
          {status()}
        </p>
      </Show>
      <Show when={error()}>
        <p role="alert" class="field-error">
          {error()}
        </p>
      </Show>
    </section>
  );
}
