import type { JSX } from 'solid-js';
import { For, Show, createEffect, createSignal, on } from 'solid-js';
import type { ItemVersionInfo, ItemVersionState } from '../../shared/queries.ts';
import type { CollectionId, ItemId } from '../../shared/types.ts';
import { errorMessage } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';
import { ChangeAuthor } from './ChangeAuthor.tsx';
import { Panel } from './Panel.tsx';
import { formatTime } from './format.ts';

/**
 * An item's versions, newest first; picking one shows the item as it was, read-only, with
 * "Restore this version", which writes that state again as a new version (history is never rewritten).
 */
export function ItemHistory(props: {
  collectionId: CollectionId;
  itemId: ItemId;
  /** Changes whenever the item does, so the list stays current. */
  revision: number;
  /** A member's name as the members list shows it. */
  nameOf?: ((user: string) => string) | undefined;
  onClose: () => void;
}): JSX.Element {
  const engine = useEngine();
  const [versions, setVersions] = createSignal<ItemVersionInfo[] | null>(null);
  const [selected, setSelected] = createSignal<{ id: string; state: ItemVersionState } | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [restoring, setRestoring] = createSignal(false);

  createEffect(
    on(
      () => [props.collectionId, props.itemId, props.revision] as const,
      ([collectionId, itemId]) => {
        engine
          .command({ type: 'itemHistory', collectionId, itemId })
          .then(setVersions, (err: unknown) => setError(errorMessage(err)));
      },
    ),
  );

  const pick = async (version: ItemVersionInfo) => {
    setError(null);
    try {
      const state = await engine.command({
        type: 'itemVersion',
        collectionId: props.collectionId,
        itemId: props.itemId,
        versionId: version.id,
      });
      setSelected({ id: version.id, state });
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const restore = async () => {
    const version = selected();
    if (!version) return;
    setRestoring(true);
    setError(null);
    try {
      await engine.command({
        type: 'restoreVersion',
        collectionId: props.collectionId,
        itemId: props.itemId,
        versionId: version.id,
      });
      setSelected(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setRestoring(false);
    }
  };

  return (
    <Panel
      class="history"
      title="History"
      closeLabel="Close history"
      onClose={props.onClose}
      error={error()}
      reveal="start"
    >
      <Show when={versions()} fallback={<p class="muted">Reading history…</p>}>
        {(list) => (
          <ol class="versions" aria-label="Versions">
            <For each={list()}>
              {(version) => (
                <li>
                  <button
                    class="version"
                    aria-pressed={selected()?.id === version.id}
                    onClick={() => void pick(version)}
                  >
                    <time datetime={new Date(version.time).toISOString()}>{formatTime(version.time)}</time>
                    <span class="summary">{version.summary}</span>
                    <ChangeAuthor author={version.author} actor={version.actor} nameOf={props.nameOf} />
                  </button>
                </li>
              )}
            </For>
          </ol>
        )}
      </Show>
      <Show when={selected()}>
        {(version) => (
          <article class="past-version" aria-label="Past version">
            <h3>{version().state.title || 'Untitled'}</h3>
            <Show when={version().state.deleted}>
              <p class="muted">The item was deleted in this version.</p>
            </Show>
            <Show when={version().state.tags.length > 0}>
              <p class="muted">Tags: {version().state.tags.join(', ')}</p>
            </Show>
            <pre class="past-body">{version().state.body}</pre>
            <button class="primary" disabled={restoring()} onClick={() => void restore()}>
              Restore this version
            </button>
          </article>
        )}
      </Show>
    </Panel>
  );
}
