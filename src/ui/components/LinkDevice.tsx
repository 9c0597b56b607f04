import type { JSX } from 'solid-js';
import { Match, Show, Switch, createEffect, createSignal, onMount } from 'solid-js';
import type { DeviceLinkState } from '../../shared/queries.ts';
import { errorMessage } from '../engine-client.ts';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';
import { qrDataUrl } from '../qr.ts';
import { variant } from '../variant.ts';

/**
 * "Link a device", in the You dialog: a one-time pairing code as a QR code and a link, valid for
 * 10 minutes. It is open only while this section is shown; closing it withdraws the code.
 */
export function LinkDeviceSection(): JSX.Element {
  const engine = useEngine();
  const subscription = createEngineSubscription(engine, { type: 'deviceLink' });
  const link = (): DeviceLinkState => subscription() ?? { status: 'opening' };
  const [qr, setQr] = createSignal<string | null>(null);
  createEffect(() => {
    const state = link();
    if (state.status === 'waiting') void qrDataUrl(state.link).then(setQr, () => setQr(null));
  });

  return (
    <section class="link-device" aria-labelledby="link-device-title">
      <h3 id="link-device-title">Link a device</h3>
      <Switch fallback={<p role="status">Opening a pairing code…</p>}>
        <Match when={variant(link(), 'status', 'waiting')}>
          {(waiting) => (
            <>
              <p>
                On your other device, scan this code or open the link. It works once, until{' '}
                {new Date(waiting().expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
                . Anyone with it can act as you: don’t share it.
              </p>
              <Show when={qr()}>
                {(src) => <img class="qr" src={src()} alt="Pairing QR code" width="200" height="200" />}
              </Show>
              <label for="pairing-link">Pairing link</label>
              <input
                id="pairing-link"
                readonly
                value={waiting().link}
                onFocus={(event) => event.currentTarget.select()}
              />
              <p role="status" class="muted">
                Waiting for the other device…
              </p>
            </>
          )}
        </Match>
        <Match when={variant(link(), 'status', 'certifying')}>
          {(state) => <p role="status">Linking “{state().label}”…</p>}
        </Match>
        <Match when={variant(link(), 'status', 'linked')}>
          {(state) => (
            <p role="status">“{state().label}” is linked. It now acts as you, with your collections.</p>
          )}
        </Match>
        <Match when={variant(link(), 'status', 'expired')}>
          <p role="alert">This pairing code has expired. Close this and link again for a new one.</p>
        </Match>
        <Match when={variant(link(), 'status', 'failed')}>
          {(state) => <p role="alert">{state().reason}</p>}
        </Match>
      </Switch>
    </section>
  );
}

/**
 * The page a pairing link opens on the new device. The code is taken from the address at once, so
 * it is not left in the history; linking waits for the person to confirm.
 */
export function LinkThisDevicePage(props: { secret: string | null }): JSX.Element {
  const engine = useEngine();
  const secret = props.secret;
  const [state, setState] = createSignal<'idle' | 'linking' | 'linked'>('idle');
  const [error, setError] = createSignal<string | null>(
    secret ? null : 'This pairing link is incomplete. Show a new code on your other device.',
  );
  onMount(() => history.replaceState(null, '', `${location.pathname}${location.search}#/pair`));

  const link = async () => {
    if (!secret) return;
    setError(null);
    setState('linking');
    try {
      await engine.command({ type: 'acceptDeviceLink', secret });
      setState('linked');
      // The engine restarts as the linked user; so does this page, at the home screen. The address
      // changes without a hashchange: this page, about to go, must not show the home screen first.
      setTimeout(() => {
        history.replaceState(null, '', `${location.pathname}${location.search}#/`);
        location.reload();
      }, 300);
    } catch (failure) {
      setState('idle');
      setError(errorMessage(failure));
    }
  };

  return (
    <section class="empty link-this-device">
      <h1>Link this device</h1>
      <p>
        This device will act as the person who showed you the code: the same name, key and collections.
        Collections already on this device are kept and join theirs. Where someone else let you into a
        collection, its owners are asked to let you in again.
      </p>
      <Show when={secret && state() !== 'linked'}>
        <button class="primary" disabled={state() === 'linking'} onClick={() => void link()}>
          Link this device
        </button>
      </Show>
      <p role="status">
        {state() === 'linking'
          ? 'Waiting for your other device to confirm…'
          : state() === 'linked'
            ? 'Linked. Restarting…'
            : ''}
      </p>
      <Show when={error()}>
        <p role="alert" class="field-error">
          {error()}
        </p>
      </Show>
      <a href="#/">Back to your collections</a>
    </section>
  );
}
