import type { JSX } from 'solid-js';
import { Match, Show, Switch, createSignal, onCleanup } from 'solid-js';
import { Banners } from './components/Banners.tsx';
import { CollectionView } from './components/CollectionView.tsx';
import { DiscoverPage } from './components/DiscoverPage.tsx';
import { FeedPage } from './components/FeedPage.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import { SyncStatusBadge } from './components/SyncStatusBadge.tsx';
import { IdentityDialog } from './components/IdentityDialog.tsx';
import { SearchBox } from './components/search/SearchBox.tsx';
import { SearchResults, resultDomId } from './components/search/SearchResults.tsx';
import { searchStatus } from './components/search/search-status.ts';
import { useSearch } from './components/search/useSearch.ts';
import { createEngineSubscription, useEngine } from './engine-context.tsx';
import { createRoute } from './router.ts';
import { variant } from './variant.ts';
import { isEditable } from './editable.ts';
import { LinkThisDevicePage } from './components/LinkDevice.tsx';

export function App(): JSX.Element {
  const route = createRoute();
  const engine = useEngine();
  const search = useSearch(engine);
  // One subscription for the sidebar and the search filters (undefined until the engine answers).
  const collections = createEngineSubscription(engine, { type: 'collections' });
  const [showShortcuts, setShowShortcuts] = createSignal(false);

  const onKey = (event: KeyboardEvent) => {
    if (event.key === '?' && !isTyping(event)) setShowShortcuts((v) => !v);
    if (event.key === 'Escape') setShowShortcuts(false);
  };
  addEventListener('keydown', onKey);
  onCleanup(() => removeEventListener('keydown', onKey));

  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/">
          Pinax
        </a>
        <a class="discover-link" href="#/discover">
          Discover
        </a>
        <a class="discover-link" href="#/feed">
          Feed
        </a>
        <SearchBox
          query={search.query()}
          onQuery={search.setQuery}
          onMove={search.move}
          onOpen={() => search.open()}
          onFocusChange={search.setBoxFocused}
          activeResultId={
            search.showing() && (search.results()?.hits.length ?? 0) > 0 ? resultDomId(search.active()) : null
          }
        />
        {/* The search's status, for screen readers: a live region in the page before the results
            panel opens, since a region inserted already holding its text may not be announced. */}
        <p class="visually-hidden" role="status" aria-label="Search status">
          {search.showing() ? searchStatus(search.query(), search.tag(), search.results()) : ''}
        </p>
        <Banners />
        <IdentityDialog />
        <SyncStatusBadge />
      </header>
      <Sidebar
        collections={collections()}
        activeId={(() => {
          const r = route();
          return r.page === 'collection' ? r.collectionId : null;
        })()}
      />
      <main class="main">
        <Show when={search.showing()}>
          <SearchResults
            query={search.query()}
            results={search.results()}
            active={search.active()}
            tag={search.tag()}
            collectionId={search.collectionId()}
            collections={collections() ?? []}
            onTag={search.setTag}
            onCollection={search.setCollectionId}
            onOpen={search.open}
          />
        </Show>
        {/* Kept mounted while searching, so an open panel or editor is still there afterwards. */}
        <div class="route" hidden={search.showing()}>
          <Switch>
            <Match when={route().page === 'home'}>
              <section class="empty">
                <h1>Your collections</h1>
                <p>
                  Pinax keeps notes, links and records on this device first. It works offline and syncs when
                  it can.
                </p>
                <p>
                  Create a collection with <strong>New collection</strong>, then press <kbd>n</kbd> to add
                  items.
                </p>
              </section>
            </Match>
            <Match when={route().page === 'discover'}>
              <DiscoverPage />
            </Match>
            <Match when={route().page === 'feed'}>
              <FeedPage />
            </Match>
            <Match when={variant(route(), 'page', 'invalid')}>
              {(invalid) => (
                <section class="empty" role="alert">
                  <h1>Link not recognised</h1>
                  <p>{invalid().reason}</p>
                  <a href="#/">Back to your collections</a>
                </section>
              )}
            </Match>
            {/* Keyed: another pairing link opened in this tab is a new page, with its own code. */}
            <Match when={variant(route(), 'page', 'pair')} keyed>
              {(pair) => <LinkThisDevicePage secret={pair.secret} />}
            </Match>
            <Match when={variant(route(), 'page', 'collection')}>
              {(r) => <CollectionView collectionId={r().collectionId} itemId={r().itemId} />}
            </Match>
          </Switch>
        </div>
      </main>
      <Show when={showShortcuts()}>
        <aside class="shortcuts" aria-label="Keyboard shortcuts">
          <h2>Keyboard shortcuts</h2>
          <dl>
            <dt>/</dt>
            <dd>Search everything</dd>
            <dt>↑ ↓ Enter</dt>
            <dd>Move through search results and open one</dd>
            <dt>↑ ↓ Home End</dt>
            <dd>Move through a collection’s items (Enter opens one)</dd>
            <dt>n</dt>
            <dd>New item</dd>
            <dt>Esc</dt>
            <dd>Close the item panel or dialog</dd>
            <dt>?</dt>
            <dd>Show or hide this list</dd>
          </dl>
        </aside>
      </Show>
    </div>
  );
}

export function isTyping(event: KeyboardEvent): boolean {
  return isEditable(event.target);
}
