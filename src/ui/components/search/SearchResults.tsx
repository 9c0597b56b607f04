import type { JSX } from 'solid-js';
import { createEffect, createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import { highlightSegments } from '../../../shared/highlight.ts';
import { FIRST_FRAME_HITS } from '../../../shared/queries.ts';
import type { SearchResultItem, SearchResults as Results } from '../../../shared/queries.ts';
import type { CollectionSummary } from '../../../shared/types.ts';
import { collectionHref } from '../../router.ts';
import { hitsForFirstFrame } from './stable-results.ts';
import { searchStatus } from './search-status.ts';

export function resultDomId(index: number): string {
  return `search-result-${index}`;
}

/** Results, tag facets and the collection filter of the current search. */
export function SearchResults(props: {
  query: string;
  results: Results | null;
  active: number;
  tag: string | null;
  collectionId: string | null;
  collections: CollectionSummary[];
  onTag: (tag: string | null) => void;
  onCollection: (collectionId: string | null) => void;
  onOpen: (index: number) => void;
}): JSX.Element {
  const results = () => props.results;
  const shownHits = useProgressiveHits(results);
  const hitIndex = createMemo(() => new Map(results()?.hits.map((hit, index) => [hit, index]) ?? []));
  return (
    // data-results-for: the query whose answer is on screen (tests and benchmarks wait for it).
    <section class="search" aria-label="Search" data-results-for={results()?.query}>
      <div class="search-filters">
        <label>
          <span class="visually-hidden">Collection</span>
          <select
            aria-label="Collection"
            value={props.collectionId ?? ''}
            onChange={(e) => props.onCollection(e.currentTarget.value || null)}
          >
            <option value="">All collections</option>
            <For each={props.collections}>{(c) => <option value={c.id}>{c.name}</option>}</For>
          </select>
        </label>
        <Show when={props.tag}>
          {(tag) => (
            <button
              class="chip active"
              onClick={() => props.onTag(null)}
              aria-label={`Remove tag filter ${tag()}`}
            >
              #{tag()} ×
            </button>
          )}
        </Show>
      </div>
      <Show when={(results()?.indexing.pending ?? 0) > 0}>
        <div class="indexing">
          <progress
            aria-label="Indexing"
            max={results()?.indexing.total ?? 0}
            value={(results()?.indexing.total ?? 0) - (results()?.indexing.pending ?? 0)}
          />
          <span class="muted">Indexing {results()?.indexing.pending} items…</span>
        </div>
      </Show>
      <Show when={(results()?.facets.length ?? 0) > 0}>
        <ul class="facets" aria-label="Tags">
          <For each={results()?.facets.slice(0, 30)}>
            {(facet) => (
              <li>
                <button
                  class="chip"
                  aria-pressed={props.tag === facet.tag}
                  onClick={() => props.onTag(props.tag === facet.tag ? null : facet.tag)}
                >
                  #{facet.tag} <span class="count">{facet.count}</span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show
        when={results() && results()!.hits.length > 0}
        fallback={
          <p class="muted search-status search-empty">{searchStatus(props.query, props.tag, results())}</p>
        }
      >
        {/* Announced by the live region beside the search box (App), which is there before this is. */}
        <p class="muted search-status">{searchStatus(props.query, props.tag, results())}</p>
        <ul id="search-results" class="search-results" aria-label="Search results">
          <For each={shownHits()}>
            {(hit) => {
              const index = () => hitIndex().get(hit) ?? -1;
              return (
                <li
                  id={resultDomId(index())}
                  classList={{ active: index() === props.active }}
                  aria-current={index() === props.active ? 'true' : undefined}
                >
                  <a
                    href={collectionHref(hit.collectionId, hit.itemId)}
                    onClick={(e) => {
                      e.preventDefault();
                      props.onOpen(index());
                    }}
                  >
                    <span class="title">
                      <Marked text={hit.title || 'Untitled'} terms={hit.terms} />
                    </span>
                    <span class="collection-name muted">{hit.collectionName}</span>
                    <Show when={hit.snippet}>
                      <span class="snippet">
                        <Marked text={hit.snippet} terms={hit.terms} />
                      </span>
                    </Show>
                  </a>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
    </section>
  );
}

/**
 * The hits to render: when new results arrive, only those for the first frame (hitsForFirstFrame),
 * so the typed character and the top results paint sooner; all of them once that frame has painted.
 */
function useProgressiveHits(results: () => Results | null): () => SearchResultItem[] {
  const [complete, setComplete] = createSignal<Results | null>(null);
  let onScreen = new Set<SearchResultItem>();
  const shown = createMemo(() => {
    const current = results();
    const hits = !current
      ? []
      : complete() === current
        ? current.hits
        : hitsForFirstFrame(current.hits, onScreen, FIRST_FRAME_HITS);
    onScreen = new Set(hits);
    return hits;
  });
  createEffect(() => {
    const current = results();
    if (!current || shown().length === current.hits.length) return;
    // After the next paint: a task queued from the frame's rAF callback runs once it has painted.
    let task: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (task = setTimeout(() => setComplete(current), 0)));
    onCleanup(() => {
      cancelAnimationFrame(frame);
      clearTimeout(task);
    });
  });
  return shown;
}

function Marked(props: { text: string; terms: string[] }): JSX.Element {
  return (
    <For each={highlightSegments(props.text, props.terms)}>
      {(segment) => (segment.match ? <mark>{segment.text}</mark> : segment.text)}
    </For>
  );
}
