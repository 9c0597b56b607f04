import type { JSX } from 'solid-js';
import { For, Show } from 'solid-js';
import type { FeedView } from '../../shared/queries.ts';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';
import { collectionHref } from '../router.ts';

type FeedEntry = FeedView['entries'][number];

/**
 * The Feed: what the people you follow published, commented, liked, followed and tagged, newest
 * first. Every entry is signed; one that does not verify is marked "unverified".
 */
export function FeedPage(): JSX.Element {
  const engine = useEngine();
  const feed = createEngineSubscription(engine, { type: 'feed' });
  return (
    <section class="feed-page">
      <h1>Feed</h1>
      <Show when={feed()}>
        {(view) => (
          <Show
            when={view().entries.length > 0}
            fallback={
              <p class="muted">
                {view().following === 0
                  ? 'You follow nobody yet. Follow people from their comments on items you share.'
                  : 'Nothing new from the people you follow.'}
              </p>
            }
          >
            <ol class="feed" aria-label="Feed">
              <For each={view().entries}>
                {(entry) => (
                  <li classList={{ unverified: !entry.verified }}>
                    <strong>{entry.name || 'Someone'}</strong>{' '}
                    <span class="fingerprint">{entry.fingerprint}</span>{' '}
                    <Show when={!entry.verified}>
                      <span class="badge">unverified</span>{' '}
                    </Show>
                    {describe(entry)}{' '}
                    <time class="muted" dateTime={new Date(entry.at).toISOString()}>
                      {new Date(entry.at).toLocaleString()}
                    </time>
                  </li>
                )}
              </For>
            </ol>
          </Show>
        )}
      </Show>
    </section>
  );
}

function describe(entry: FeedEntry): JSX.Element {
  switch (entry.verb) {
    case 'comment':
      return (
        <>
          commented on <a href={collectionHref(entry.collection, entry.item)}>{entry.title || 'an item'}</a>:
          “{entry.text}”
        </>
      );
    case 'like':
      return (
        <>
          liked <a href={collectionHref(entry.collection, entry.item)}>{entry.title || 'an item'}</a>
        </>
      );
    case 'publish':
      return (
        <>
          published <a href={collectionHref(entry.collection)}>{entry.title || 'a collection'}</a>
        </>
      );
    case 'follow':
      return <>followed {entry.title}</>;
    case 'tag':
      return (
        <>
          tagged <a href={collectionHref(entry.collection, entry.item)}>{entry.title || 'an item'}</a> “
          {entry.tag}”
        </>
      );
  }
}
