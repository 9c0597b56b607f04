import type { JSX } from 'solid-js';
import { For, Show } from 'solid-js';
import type { PresenceState } from '../../shared/queries.ts';

/** Who else has this collection open right now (other devices), and this device's own label. */
export function PresenceBar(props: { presence: PresenceState | null }): JSX.Element {
  return (
    <Show when={props.presence}>
      {(p) => (
        <div class="presence" role="group" aria-label="Here now">
          <Show when={p().others.length > 0} fallback={<span class="muted">Only you here</span>}>
            <span class="muted">Here now:</span>
            <ul>
              <For each={p().others}>
                {(peer) => (
                  <li>
                    <span class="dot" style={{ background: peer.colour }} aria-hidden="true" />
                    {peer.name}
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <span class="muted self" title="How other devices see this one">
            (you are <span class="dot" style={{ background: p().self.colour }} aria-hidden="true" />
            {p().self.name})
          </span>
        </div>
      )}
    </Show>
  );
}

/** Other devices editing one item, shown in its editor. */
export function EditingNow(props: { presence: PresenceState | null; itemId: string }): JSX.Element {
  const editors = () => props.presence?.others.filter((peer) => peer.itemIds.includes(props.itemId)) ?? [];
  return (
    <Show when={editors().length > 0}>
      <p class="presence editing" role="status">
        <For each={editors()}>
          {(peer) => (
            <span>
              <span class="dot" style={{ background: peer.colour }} aria-hidden="true" />
              {peer.name}{' '}
            </span>
          )}
        </For>
        {editors().length === 1 ? 'is editing this item' : 'are editing this item'}
      </p>
    </Show>
  );
}
