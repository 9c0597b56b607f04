import type { JSX } from 'solid-js';
import { For, Show } from 'solid-js';
import type { CollectionSummary } from '../../shared/types.ts';
import { collectionHref } from '../router.ts';
import { NewCollectionDialog } from './NewCollectionDialog.tsx';

export function Sidebar(props: {
  /** The joined collections; undefined until the engine has answered. */
  collections: readonly CollectionSummary[] | undefined;
  activeId: string | null;
}): JSX.Element {
  return (
    <nav class="sidebar" aria-label="Collections">
      <NewCollectionDialog />
      <Show when={props.collections} fallback={<p class="muted">…</p>}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="muted">No collections yet.</p>}>
            <ul class="collection-list">
              <For each={list()}>
                {(c) => (
                  <li>
                    <a
                      href={collectionHref(c.id)}
                      aria-current={props.activeId === c.id ? 'page' : undefined}
                    >
                      <span class="name">{c.name}</span>
                      <span class="count" aria-label={`${c.itemCount} items`}>
                        {c.itemCount}
                      </span>
                    </a>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
      <p class="muted build">Build {__PINAX_BUILD_ID__}</p>
    </nav>
  );
}
