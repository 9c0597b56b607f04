import type { DidKey } from '../../shared/identity/did-key.ts';
import { fingerprintOf } from '../../shared/identity/did-key.ts';
import type { JSX } from 'solid-js';
import { Match, Show, Switch, createEffect, createMemo, createSignal, on, onCleanup } from 'solid-js';
import type { CollectionUpdate } from '../../shared/protocol.ts';
import type {
  CollectionId,
  CollectionSummary,
  ItemId,
  ItemSummary,
  TransferProgress,
} from '../../shared/types.ts';
import { isTyping } from '../App.tsx';
import { useEngine } from '../engine-context.tsx';
import { collectionHref, navigate } from '../router.ts';
import { makeItemOrder } from '../item-order.ts';
import { CollectionHeader, type CollectionPanel } from './CollectionHeader.tsx';
import { CollectionTimeline } from './CollectionTimeline.tsx';
import { ImportExport } from './ImportExport.tsx';
import { EditingNow, PresenceBar } from './PresenceBar.tsx';
import type { MembersView, PresenceState } from '../../shared/queries.ts';
import { ItemEditor, requestTitleFocus } from './ItemEditor.tsx';
import { ItemList } from './ItemList.tsx';
import { ReceivingBytes, ReceivingItems, type ItemsProgress } from './ReceivingProgress.tsx';
import { variant } from '../variant.ts';
import { captureTypeAhead } from '../type-ahead.ts';
import { makeLogger } from '../../shared/log.ts';

type ViewState =
  | { status: 'loading'; received?: TransferProgress }
  | { status: 'unavailable'; reason: string; malformed?: true }
  | { status: 'ready'; collection: CollectionSummary; items: ItemSummary[]; arriving: boolean };

export function CollectionView(props: { collectionId: CollectionId; itemId: ItemId | null }): JSX.Element {
  const engine = useEngine();
  // The route hands over a new object on every navigation, so props are read again even when the
  // collection stays the same. These change only when the ids do: opening or closing an item must
  // not subscribe to the whole collection (and its members) all over again.
  const collectionId = createMemo(() => props.collectionId);
  const openItemId = createMemo(() => props.itemId);
  const [view, setView] = createSignal<ViewState>({ status: 'loading' });
  const [createError, setCreateError] = createSignal<string | null>(null);
  const [panel, setPanel] = createSignal<CollectionPanel | null>(null);
  const [presence, setPresence] = createSignal<PresenceState | null>(null);
  // Members and this user's role, resolved by the engine from the signed access entries.
  const [members, setMembers] = createSignal<MembersView | undefined>();
  createEffect(
    on(collectionId, (collectionId) => {
      setMembers(undefined);
      onCleanup(engine.subscribe({ type: 'members', collectionId }, setMembers));
    }),
  );
  const nameOf = (user: string): string => {
    const member = members()?.members.find((m) => m.user === user);
    if (member?.isYou) return 'you';
    return member?.name
      ? `${member.name} (${member.fingerprint})`
      : (member?.fingerprint ?? fingerprintOf(user as DidKey));
  };
  // Read-only until the engine has said what this user may do: on a collection just opened from a
  // link, "New item" showed before the role was known, and a click on it was refused.
  const readOnly = () => {
    const m = members();
    return m === undefined || (m.guarded && m.myRole !== 'owner' && m.myRole !== 'editor');
  };

  // Presence: announced while this tab shows the collection, with the item open in the editor.
  createEffect(
    on(
      () => [collectionId(), openItemId()] as const,
      ([collectionId, itemId]) => {
        const unsubscribe = engine.subscribe(
          { type: 'presence', collectionId, ...(itemId ? { itemId } : {}) },
          setPresence,
        );
        onCleanup(unsubscribe);
      },
    ),
  );

  // Subscribed before the collection is opened (the command below): a small collection can be
  // stored and indexed before a subscription made once it shows would be answered, and its bar
  // would never appear.
  const [itemsProgress, setItemsProgress] = createSignal<ItemsProgress | undefined>();
  createEffect(
    on(collectionId, (collectionId) => {
      setItemsProgress(undefined);
      onCleanup(
        engine.subscribe({ type: 'readModelProgress' }, (all) =>
          setItemsProgress(all.collections[collectionId]),
        ),
      );
    }),
  );

  createEffect(
    on(collectionId, (collectionId) => {
      const order = makeItemOrder();
      let arriving = false;
      setView({ status: 'loading' });
      setPanel(null);
      // A refusal (a malformed link) reaches the screen through the state below; here it is only
      // noted, never left as an unhandled rejection.
      engine
        .command({ type: 'openCollection', collectionId })
        .catch((error: unknown) => log.info('the collection could not be opened', String(error)));
      const apply = (update: CollectionUpdate) => {
        if (update.kind === 'state') {
          const state = update.state;
          if (state.status === 'loading')
            return setView(
              state.received ? { status: 'loading', received: state.received } : { status: 'loading' },
            );
          if (state.status === 'unavailable')
            return setView({
              status: 'unavailable',
              reason: state.reason,
              ...(state.malformed ? { malformed: true as const } : {}),
            });
          arriving = state.arriving === true;
          const items = order.reset(state.items);
          return setView({ status: 'ready', collection: state.collection, items, arriving });
        }
        const items = order.patch(update.upserts, update.removed);
        setView({ status: 'ready', collection: update.collection, items, arriving });
      };
      onCleanup(engine.subscribe({ type: 'collection', collectionId }, apply));
    }),
  );

  const newItem = async () => {
    setCreateError(null);
    // What the user types before the new title has focus goes into it (type-ahead.ts).
    const typed = captureTypeAhead();
    try {
      const { itemId } = await engine.command({ type: 'addItem', collectionId: props.collectionId });
      requestTitleFocus(itemId, typed);
      navigate(collectionHref(props.collectionId, itemId));
    } catch (error) {
      typed.take();
      setCreateError(`Could not create the item: ${String(error)}`);
    }
  };

  const onKey = (event: KeyboardEvent) => {
    if (isTyping(event) || event.metaKey || event.ctrlKey || event.altKey) return;
    if (event.key === 'n' && view().status === 'ready' && !readOnly()) {
      event.preventDefault();
      void newItem();
    }
  };
  addEventListener('keydown', onKey);
  onCleanup(() => removeEventListener('keydown', onKey));

  return (
    <Switch>
      <Match when={variant(view(), 'status', 'loading')}>
        {(v) => (
          <section class="empty" aria-busy="true">
            <p class="muted">Opening collection…</p>
            <Show when={v().received}>{(received) => <ReceivingBytes received={received()} />}</Show>
          </section>
        )}
      </Match>
      <Match when={variant(view(), 'status', 'unavailable')}>
        {(v) => (
          <Show
            when={!v().malformed}
            fallback={
              <section class="empty" role="alert">
                <h1>Link not recognised</h1>
                <p>{v().reason}</p>
                <a href="#/">Back to your collections</a>
              </section>
            }
          >
            <section class="empty" role="alert">
              <h1>Collection unavailable</h1>
              <p>{v().reason}</p>
              <p class="muted">It will open by itself once the relay can provide it.</p>
            </section>
          </Show>
        )}
      </Match>
      <Match when={variant(view(), 'status', 'ready')}>
        {(v) => (
          <div class="collection" classList={{ 'with-panel': !!openItemId() }}>
            <section class="list-column">
              <CollectionHeader
                collection={v().collection}
                onNewItem={() => void newItem()}
                panel={panel()}
                onPanel={setPanel}
                members={members()}
                readOnly={readOnly()}
              />
              <Show when={v().arriving}>
                <ReceivingItems progress={itemsProgress()} />
              </Show>
              <PresenceBar presence={presence()} />
              <Show when={panel() === 'timeline'}>
                <CollectionTimeline
                  collectionId={collectionId()}
                  revision={v().collection.updatedAt}
                  nameOf={nameOf}
                  onClose={() => setPanel(null)}
                />
              </Show>
              <Show when={panel() === 'transfer'}>
                <ImportExport collectionId={collectionId()} onClose={() => setPanel(null)} />
              </Show>
              <Show when={createError()}>
                <p class="field-error" role="alert">
                  {createError()}
                </p>
              </Show>
              <Show
                when={v().items.length > 0}
                fallback={<p class="muted empty-list">No items yet. Press New item (or n) to add one.</p>}
              >
                <ItemList collectionId={collectionId()} items={v().items} selectedId={openItemId()} />
              </Show>
            </section>
            <Show when={openItemId()}>
              {(itemId) => (
                <ItemEditor
                  collectionId={collectionId()}
                  itemId={itemId()}
                  readOnly={readOnly()}
                  nameOf={nameOf}
                  onClose={() => {
                    const closed = collectionHref(props.collectionId, itemId());
                    const list = collectionHref(props.collectionId);
                    navigate(list);
                    focusRowOnceShown(list, closed);
                  }}
                  notice={<EditingNow presence={presence()} itemId={itemId()} />}
                />
              )}
            </Show>
          </div>
        )}
      </Match>
    </Switch>
  );
}

const log = makeLogger('pinax:collection-view');

/**
 * Once the route has changed to `list`, puts the focus on the list row linking to `href` (the item whose
 * panel just closed), so a keyboard user goes on from where they were instead of from the page's
 * start. The list may render its rows a frame or two later (it measures its window first), so it
 * looks for a few frames; it gives up when the row never shows (scrolled out of the list's window)
 * or when focus went somewhere meanwhile.
 */
function focusRowOnceShown(list: string, href: string): void {
  const selector = `.item-list a[href="${CSS.escape(href)}"]`;
  addEventListener(
    'hashchange',
    () => {
      // Only for this navigation, back to the list (never a later one's).
      if (location.hash !== list) return;
      let frames = 0;
      const attempt = () => {
        if (document.activeElement && document.activeElement !== document.body) return;
        const row = document.querySelector<HTMLElement>(selector);
        if (row) row.focus();
        else if (++frames < FOCUS_ROW_FRAMES) requestAnimationFrame(attempt);
      };
      attempt();
    },
    { once: true },
  );
}

/** How many frames focusRowOnceShown waits for the row. */
const FOCUS_ROW_FRAMES = 10;
