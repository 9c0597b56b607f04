// The search state of a tab: query, tag and collection filters, live results from the engine, and
// which result the keyboard is on. Every change of the filters replaces the engine subscription.
// While the search box has the focus, the engine also answers ahead of the next keystroke
// (search-source.ts), so that results show in the keystroke's own frame.

import { batch, createEffect, createSignal, on, onCleanup } from 'solid-js';
import type { SearchResults } from '../../../shared/queries.ts';
import type { CollectionId } from '../../../shared/types.ts';
import type { EngineClient } from '../../engine-client.ts';
import { collectionHref, navigate } from '../../router.ts';
import { requestTitleFocus } from '../ItemEditor.tsx';
import { createSearchSource } from './search-source.ts';
import { withStableParts } from './stable-results.ts';

/** How long a new search waits for its first results before its panel opens without them. */
const PANEL_WAIT_MS = 150;

export function useSearch(engine: EngineClient) {
  const [query, setQuery] = createSignal('');
  const [tag, setTag] = createSignal<string | null>(null);
  const [collectionId, setCollectionId] = createSignal<string | null>(null);
  const [results, setResults] = createSignal<SearchResults | null>(null);
  const [active, setActive] = createSignal(0);
  const [boxFocused, setBoxFocused] = createSignal(false);
  const source = createSearchSource(engine);
  const searching = () => query().trim() !== '' || tag() !== null || collectionId() !== null;
  // Whether the panel is up. It opens with the first answer to the search that opened it, so the
  // first keystroke paints once, with its results, rather than an empty panel first (showing the
  // previous search's "No items match" for a frame); or after PANEL_WAIT_MS if no answer came.
  // Once open it stays open while the search is refined: each keystroke's results replace the last.
  const [panelOpen, setPanelOpen] = createSignal(false);
  const showing = () => searching() && panelOpen();

  createEffect(
    on(searching, (isSearching) => {
      if (!isSearching) return setPanelOpen(false);
      const wait = setTimeout(() => setPanelOpen(true), PANEL_WAIT_MS);
      onCleanup(() => clearTimeout(wait));
    }),
  );

  createEffect(
    on([query, tag, collectionId, boxFocused], ([q, t, c, focused], previous) => {
      // Only the focus changed: the results stay where the keyboard left them.
      if (!previous || q !== previous[0] || t !== previous[1] || c !== previous[2]) setActive(0);
      const unsubscribe = source.subscribe(
        {
          type: 'search',
          query: q,
          ...(t !== null ? { tag: t } : {}),
          ...(c !== null ? { collectionId: c as CollectionId } : {}),
          ...(focused ? { ahead: true } : {}),
        },
        (next: SearchResults) =>
          batch(() => {
            setResults((previous) => withStableParts(previous, next));
            if (searching()) setPanelOpen(true);
          }),
      );
      onCleanup(unsubscribe);
    }),
  );

  const move = (delta: number) => {
    const count = results()?.hits.length ?? 0;
    if (count === 0) return;
    setActive((i) => (i + delta + count) % count);
    document.getElementById(`search-result-${active()}`)?.scrollIntoView({ block: 'nearest' });
  };

  const open = (index = active()) => {
    const hit = results()?.hits[index];
    if (!hit) return;
    setQuery('');
    setTag(null);
    setCollectionId(null);
    // The opened item takes the focus, as a new one does: Enter on a result, then type.
    requestTitleFocus(hit.itemId);
    navigate(collectionHref(hit.collectionId, hit.itemId));
  };

  return {
    query,
    setQuery,
    setBoxFocused,
    tag,
    setTag,
    collectionId,
    setCollectionId,
    results,
    active,
    showing,
    move,
    open,
  };
}
