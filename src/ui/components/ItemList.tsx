import type { JSX } from 'solid-js';
import { For, createMemo, createSignal, onCleanup, onMount } from 'solid-js';
import type { ItemSummary } from '../../shared/types.ts';
import { collectionHref } from '../router.ts';

const ROW_HEIGHT = 64;
const OVERSCAN = 8;

/** A virtualized list: only the rows in view (plus a margin) are in the DOM, so 10k items scroll smoothly. */
export function ItemList(props: {
  collectionId: string;
  items: ItemSummary[];
  selectedId: string | null;
}): JSX.Element {
  let scroller: HTMLDivElement | undefined;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(800);

  onMount(() => {
    if (!scroller) return;
    const observer = new ResizeObserver(() => setViewport(scroller?.clientHeight ?? 800));
    observer.observe(scroller);
    onCleanup(() => observer.disconnect());
  });

  const visible = createMemo(() => {
    const first = Math.max(0, Math.floor(scrollTop() / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(props.items.length, Math.ceil((scrollTop() + viewport()) / ROW_HEIGHT) + OVERSCAN);
    return props.items.slice(first, last).map((item, i) => ({ item, index: first + i }));
  });

  return (
    <div
      class="item-scroller"
      ref={(el) => (scroller = el)}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <ul class="item-list" aria-label="Items" style={{ height: `${props.items.length * ROW_HEIGHT}px` }}>
        <For each={visible()}>
          {(row) => (
            <li
              class="item-row"
              classList={{
                selected: row.item.id === props.selectedId,
                conflicted: row.item.titleConflicts.length > 1,
              }}
              style={{ transform: `translateY(${row.index * ROW_HEIGHT}px)` }}
              aria-setsize={props.items.length}
              aria-posinset={row.index + 1}
            >
              <a href={collectionHref(props.collectionId, row.item.id)}>
                <span class="title">{row.item.title || 'Untitled'}</span>
                <span class="snippet">{row.item.snippet}</span>
                <span class="meta">
                  <For each={row.item.tags}>{(tag) => <span class="tag">{tag}</span>}</For>
                  <time dateTime={new Date(row.item.updatedAt).toISOString()}>
                    {formatTime(row.item.updatedAt)}
                  </time>
                </span>
              </a>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}

function formatTime(ms: number): string {
  const date = new Date(ms);
  const today = new Date();
  return date.toDateString() === today.toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString();
}
