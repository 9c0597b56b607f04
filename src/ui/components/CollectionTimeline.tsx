import type { JSX } from 'solid-js';
import { For, Show, createEffect, createSignal, on } from 'solid-js';
import type { TimelineEntryInfo } from '../../shared/queries.ts';
import type { CollectionId, ItemId } from '../../shared/types.ts';
import { errorMessage } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';
import { ChangeAuthor } from './ChangeAuthor.tsx';
import { Panel } from './Panel.tsx';
import { collectionHref } from '../router.ts';
import { formatTime } from './format.ts';

const TIMELINE_LENGTH = 50;

/** Recent changes of the whole collection; deleted items stay reachable here and can be restored. */
export function CollectionTimeline(props: {
  collectionId: CollectionId;
  /** Changes whenever the collection does, so the timeline stays current. */
  revision: number;
  /** A member's name as the members list shows it. */
  nameOf?: ((user: string) => string) | undefined;
  onClose: () => void;
}): JSX.Element {
  const engine = useEngine();
  const [entries, setEntries] = createSignal<TimelineEntryInfo[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);

  createEffect(
    on(
      () => [props.collectionId, props.revision] as const,
      ([collectionId]) => {
        engine
          .command({ type: 'collectionTimeline', collectionId, limit: TIMELINE_LENGTH })
          .then(setEntries, (err: unknown) => setError(errorMessage(err)));
      },
    ),
  );

  const restore = async (itemId: ItemId) => {
    setError(null);
    try {
      await engine.command({ type: 'restoreItem', collectionId: props.collectionId, itemId });
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <Panel
      class="timeline"
      title="Timeline"
      closeLabel="Close timeline"
      onClose={props.onClose}
      error={error()}
    >
      <Show when={entries()} fallback={<p class="muted">Reading history…</p>}>
        {(list) => (
          <ol class="versions">
            <For each={list()}>
              {(entry) => (
                <li class="timeline-entry">
                  <time datetime={new Date(entry.time).toISOString()}>{formatTime(entry.time)}</time>
                  <span class="summary">{entry.summary}</span>
                  <ChangeAuthor author={entry.author} actor={entry.actor} nameOf={props.nameOf} />
                  <ul class="touched">
                    <For each={entry.items}>
                      {(item) => (
                        <li>
                          <a href={collectionHref(props.collectionId, item.itemId)}>
                            {item.title || 'Untitled'}
                          </a>
                          <Show when={item.deleted}>
                            {' '}
                            <span class="muted">(deleted)</span>{' '}
                            <button class="ghost" onClick={() => void restore(item.itemId)}>
                              Restore “{item.title || 'Untitled'}”
                            </button>
                          </Show>
                        </li>
                      )}
                    </For>
                  </ul>
                </li>
              )}
            </For>
          </ol>
        )}
      </Show>
    </Panel>
  );
}
