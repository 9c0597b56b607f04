import type { JSX } from 'solid-js';
import { Show, createSignal } from 'solid-js';
import { checkName } from '../../shared/limits.ts';
import type { CollectionSummary } from '../../shared/types.ts';
import { errorMessage } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';
import { navigate } from '../router.ts';
import { ShareDialog } from './ShareDialog.tsx';
import { MembersDialog } from './MembersDialog.tsx';
import { ActionMenu } from './ActionMenu.tsx';
import type { MembersView } from '../../shared/queries.ts';
import type { Command } from '../../shared/protocol.ts';
import { createEngineSubscription } from '../engine-context.tsx';

export type CollectionPanel = 'timeline' | 'transfer';

export function CollectionHeader(props: {
  collection: CollectionSummary;
  onNewItem: () => void;
  panel: CollectionPanel | null;
  onPanel: (panel: CollectionPanel | null) => void;
  members: MembersView | undefined;
  /** A viewer: no editing controls. */
  readOnly: boolean;
}): JSX.Element {
  const engine = useEngine();
  const [renaming, setRenaming] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const directory = createEngineSubscription(engine, { type: 'directory' });
  const published = () =>
    directory()?.entries.some((entry) => entry.collectionId === props.collection.id) ?? false;
  const [actionError, setActionError] = createSignal<string | null>(null);
  // Following a collection puts its comments and likes in the Feed.
  const following = createEngineSubscription(engine, { type: 'following' });
  const followed = () => following()?.collections.includes(props.collection.id) ?? false;
  /** Runs one of the toolbar's commands; a failure shows under the toolbar. */
  const act = async (command: Command, then?: () => void) => {
    setActionError(null);
    try {
      await engine.command(command);
      then?.();
    } catch (err) {
      setActionError(errorMessage(err));
    }
  };
  const toggleFollowed = () =>
    act({ type: 'followCollection', collectionId: props.collection.id, on: !followed() });
  const togglePublished = () =>
    act({
      type: published() ? 'unpublishCollection' : 'publishCollection',
      collectionId: props.collection.id,
    });
  let input: HTMLInputElement | undefined;

  const rename = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = input?.value ?? '';
    const invalid = checkName(name);
    if (invalid) return setError(invalid.message);
    try {
      await engine.command({ type: 'renameCollection', collectionId: props.collection.id, name });
      setRenaming(false);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const requestToJoin = () => act({ type: 'requestToJoin', collectionId: props.collection.id });

  const remove = async () => {
    if (!confirm(`Delete the collection "${props.collection.name}" from your collections?`)) return;
    await act({ type: 'deleteCollection', collectionId: props.collection.id }, () => navigate('#/'));
  };

  return (
    <header class="collection-header">
      <Show
        when={renaming()}
        fallback={
          <h1
            onDblClick={() => !props.readOnly && setRenaming(true)}
            title={props.collection.description || undefined}
          >
            {props.collection.name}
          </h1>
        }
      >
        <form class="rename" onSubmit={(e) => void rename(e)}>
          <label for="collection-name" class="visually-hidden">
            Collection name
          </label>
          <input
            id="collection-name"
            ref={(el) => {
              input = el;
              requestAnimationFrame(() => el.select());
            }}
            value={props.collection.name}
            aria-invalid={error() ? 'true' : undefined}
            aria-describedby={error() ? 'collection-name-error' : undefined}
            onKeyDown={(e) => e.key === 'Escape' && setRenaming(false)}
          />
          <button type="submit">Save name</button>
          <Show when={error()}>
            <p id="collection-name-error" class="field-error" role="alert">
              {error()}
            </p>
          </Show>
        </form>
      </Show>
      <div class="toolbar">
        <Show when={!props.readOnly}>
          <button class="primary" onClick={() => props.onNewItem()}>
            New item
          </button>
        </Show>
        <ShareDialog
          collectionId={props.collection.id}
          name={props.collection.name}
          audience={props.members?.guarded ? props.members.visibility : 'open'}
        />
        <MembersDialog collectionId={props.collection.id} members={props.members} />
        <button
          class="ghost"
          aria-expanded={props.panel === 'timeline'}
          onClick={() => props.onPanel(props.panel === 'timeline' ? null : 'timeline')}
        >
          Timeline
        </button>
        <Show when={!props.readOnly}>
          <button
            class="ghost"
            aria-expanded={props.panel === 'transfer'}
            onClick={() => props.onPanel(props.panel === 'transfer' ? null : 'transfer')}
          >
            Import
          </button>
        </Show>
        <button
          class="ghost"
          aria-expanded={props.panel === 'transfer'}
          onClick={() => props.onPanel(props.panel === 'transfer' ? null : 'transfer')}
        >
          Export
        </button>
        <ActionMenu id="collection-actions" label="More">
          <button class="ghost" aria-pressed={followed()} onClick={() => void toggleFollowed()}>
            {followed() ? 'Following' : 'Follow'}
          </button>
          <button class="ghost" aria-pressed={published()} onClick={() => void togglePublished()}>
            {published() ? 'Unpublish' : 'Publish to directory'}
          </button>
          <Show when={!renaming() && !props.readOnly}>
            <button class="ghost" onClick={() => setRenaming(true)}>
              Rename collection
            </button>
          </Show>
          <button class="ghost danger" onClick={() => void remove()}>
            Delete collection
          </button>
        </ActionMenu>
      </div>
      <Show when={actionError()}>
        <p class="field-error" role="alert">
          {actionError()}
        </p>
      </Show>
      <Show when={props.readOnly}>
        <div class="read-only-note">
          <p class="muted" role="note">
            You can view this collection but not edit it.
          </p>
          <Show when={props.members?.myRole === null}>
            <Show
              when={!props.members?.requested}
              fallback={<p class="muted">Request sent. An owner will let you in.</p>}
            >
              <button class="ghost" onClick={() => void requestToJoin()}>
                Request to join
              </button>
            </Show>
          </Show>
        </div>
      </Show>
      <p class="muted count">
        {props.collection.itemCount === 1 ? '1 item' : `${props.collection.itemCount} items`}
      </p>
    </header>
  );
}
