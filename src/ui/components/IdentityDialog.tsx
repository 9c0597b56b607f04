import type { JSX } from 'solid-js';
import { Show, createEffect, createSignal } from 'solid-js';
import { MAX_DISPLAY_NAME_CHARS } from '../../shared/queries.ts';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';
import { errorMessage } from '../engine-client.ts';
import { DevicesSection } from './DevicesSection.tsx';
import { LinkDeviceSection } from './LinkDevice.tsx';

/**
 * "You": this profile's display name (self-asserted, so always shown with the key's fingerprint)
 * and this device. The name is what other people see beside your presence and edits.
 */
export function IdentityDialog(): JSX.Element {
  const engine = useEngine();
  const identity = createEngineSubscription(engine, { type: 'identity' });
  let dialog: HTMLDialogElement | undefined;
  let input: HTMLInputElement | undefined;
  const [status, setStatus] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [linking, setLinking] = createSignal(false);

  // The field shows the stored name until the person types: a name arriving late (the first run
  // makes keys first) must not wipe what they are typing.
  let edited = false;
  createEffect(() => {
    const name = identity()?.displayName ?? '';
    if (input && !edited) input.value = name;
  });

  const open = () => {
    edited = false;
    if (input) input.value = identity()?.displayName ?? '';
    setLinking(false);
    setStatus(null);
    setError(null);
    dialog?.showModal();
    input?.select();
  };

  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await engine.command({ type: 'setDisplayName', name: input?.value ?? '' });
      setStatus('Saved.');
      edited = false;
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  return (
    <>
      <button
        class="ghost identity-button"
        onClick={open}
        aria-label={`You: ${identity()?.displayName || 'no name yet'}, key ${identity()?.fingerprint ?? '…'}`}
      >
        <span>{identity()?.displayName || 'Set your name'}</span>
        <Show when={identity()}>{(id) => <span class="fingerprint">{id().fingerprint}</span>}</Show>
      </button>
      <dialog
        ref={(el) => (dialog = el)}
        aria-labelledby="identity-title"
        class="dialog identity-dialog"
        onClose={() => setLinking(false)}
      >
        <h2 id="identity-title">You</h2>
        <form onSubmit={(event) => void save(event)}>
          <label for="display-name">Display name</label>
          <div class="share-row">
            <input
              id="display-name"
              ref={(el) => (input = el)}
              maxLength={MAX_DISPLAY_NAME_CHARS}
              onInput={() => (edited = true)}
              placeholder="How others see you"
              autocomplete="nickname"
            />
            <button class="primary" type="submit">
              Save
            </button>
          </div>
        </form>
        <p role="status" class="muted">
          {status()}
        </p>
        <Show when={error()}>
          <p role="alert" class="field-error">
            {error()}
          </p>
        </Show>
        <Show when={identity()}>
          {(id) => (
            <>
              <label for="your-key">Your key (give it to an owner who adds you to a collection)</label>
              <input id="your-key" readonly value={id().user} onFocus={(e) => e.currentTarget.select()} />
              <dl class="identity-facts">
                <dt>Key fingerprint</dt>
                <dd class="fingerprint">{id().fingerprint}</dd>
                <dt>This device</dt>
                <dd>{id().deviceLabel}</dd>
              </dl>
            </>
          )}
        </Show>
        <p class="muted">
          Names are chosen by each person, so Pinax shows the fingerprint of their key beside them. Your keys
          never leave this device.
        </p>
        <DevicesSection />
        {/* Mounted only while shown: the pairing code lives as long as this section. */}
        <Show when={linking()}>
          <LinkDeviceSection />
        </Show>
        <div class="actions">
          <Show when={!linking()}>
            <button class="ghost" onClick={() => setLinking(true)}>
              Link a device
            </button>
          </Show>
          <button class="ghost" onClick={() => dialog?.close()}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
