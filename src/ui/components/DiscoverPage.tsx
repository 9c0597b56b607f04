import type { JSX } from 'solid-js';
import { For, Show, createMemo, createSignal } from 'solid-js';
import { foldText } from '../../shared/highlight.ts';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';
import { collectionHref } from '../router.ts';

/** The relay's directory of published collections: filter it, open or follow one. */
export function DiscoverPage(): JSX.Element {
  const directory = createEngineSubscription(useEngine(), { type: 'directory' });
  const [filter, setFilter] = createSignal('');
  const entries = createMemo(() => {
    const words = foldText(filter()).split(/\s+/).filter(Boolean);
    return (directory()?.entries ?? []).filter((entry) => {
      const text = foldText(`${entry.name} ${entry.description} ${entry.tags.join(' ')}`);
      return words.every((word) => text.includes(word));
    });
  });
  return (
    <section class="discover">
      <h1>Discover</h1>
      <p class="muted">Collections people have published to this relay's directory.</p>
      <label for="discover-filter" class="visually-hidden">
        Filter the directory
      </label>
      <input
        id="discover-filter"
        type="search"
        placeholder="Filter by name, description or tag"
        value={filter()}
        onInput={(e) => setFilter(e.currentTarget.value)}
      />
      <Show
        when={directory()?.available}
        fallback={
          <p class="muted" role="status">
            Looking for the relay's directory…
          </p>
        }
      >
        <Show
          when={entries().length > 0}
          fallback={
            <p class="muted" role="status">
              {filter() ? 'No published collection matches.' : 'Nothing is published here yet.'}
            </p>
          }
        >
          <ul class="directory" aria-label="Published collections">
            <For each={entries()}>
              {(entry) => (
                <li>
                  <a href={collectionHref(entry.collectionId)}>
                    <span class="title">{entry.name}</span>
                    <span class="muted">{entry.itemCount === 1 ? '1 item' : `${entry.itemCount} items`}</span>
                  </a>
                  <Show when={entry.description}>
                    <p class="snippet">{entry.description}</p>
                  </Show>
                  <Show when={entry.tags.length > 0}>
                    <p class="muted tags">{entry.tags.map((t) => `#${t}`).join(' ')}</p>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Show>
    </section>
  );
}
