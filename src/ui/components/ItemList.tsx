import type { JSX } from 'solid-js';
import { For, Index, createMemo, createSignal, onCleanup, onMount } from 'solid-js';
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

  const range = createMemo(
    () => ({
      first: Math.max(0, Math.floor(scrollTop() / ROW_HEIGHT) - OVERSCAN),
      last: Math.ceil((scrollTop() + viewport()) / ROW_HEIGHT) + OVERSCAN,
    }),
    undefined,
    { equals: (a, b) => a.first === b.first && a.last === b.last },
  );
  const visible = createMemo(() => props.items.slice(range().first, range().last));
  // Rows key on item ids, and each row picks its item out of the window by position. An edit
  // replaces one item object: keyed on the objects, that row's DOM would be thrown away and built
  // again (node removal, cloning and styling a new subtree were most of a remote edit's cost in the
  // other tab, and a focused row lost focus). Keyed on ids, the row stays, only its changed text is
  // written, and rows still move with their items when one is added or removed above them.
  const visibleIds = createMemo(() => visible().map((item) => item.id), [], { equals: sameIds });

  /** Arrows, Home and End move the focus from row to row; Enter (the link's own) opens one. */
  const onKeyDown = (event: KeyboardEvent) => {
    const row = event.target instanceof Element ? event.target.closest('.item-row') : null;
    if (!row || !scroller || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const at = Number(row.getAttribute('aria-posinset')) - 1;
    const next = rowAfterKey(event.key, at, props.items.length);
    if (next === undefined) return;
    event.preventDefault();
    // Bring the row into the rendered window first: a virtualized list only has the rows in view.
    const top = next * ROW_HEIGHT;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + ROW_HEIGHT > scroller.scrollTop + scroller.clientHeight)
      scroller.scrollTop = top + ROW_HEIGHT - scroller.clientHeight;
    setScrollTop(scroller.scrollTop);
    scroller.querySelector<HTMLElement>(`.item-row[aria-posinset="${next + 1}"] a`)?.focus();
  };

  return (
    <div
      class="item-scroller"
      ref={(el) => (scroller = el)}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <ul
        class="item-list"
        aria-label="Items"
        style={{ height: `${props.items.length * ROW_HEIGHT}px` }}
        onKeyDown={onKeyDown}
      >
        <For each={visibleIds()}>
          {(id, offset) => {
            // Only this row's own item: mid-update, the window may briefly hold another at its old offset.
            const item = createMemo<ItemSummary>((shown) => {
              const candidate = visible()[offset()];
              return candidate?.id === id ? candidate : shown;
            }, visible()[offset()]!);
            return (
              <li
                class="item-row"
                classList={{
                  selected: id === props.selectedId,
                  conflicted: item().titleConflicts.length > 1,
                }}
                style={{ transform: `translateY(${(range().first + offset()) * ROW_HEIGHT}px)` }}
                aria-setsize={props.items.length}
                aria-posinset={range().first + offset() + 1}
              >
                <a href={collectionHref(props.collectionId, id)}>
                  <span class="title">{item().title || 'Untitled'}</span>
                  <span class="snippet">{item().snippet}</span>
                  <span class="meta">
                    <Index each={item().tags}>{(tag) => <span class="tag">{tag()}</span>}</Index>
                    <time dateTime={new Date(item().updatedAt).toISOString()}>
                      {formatTime(item().updatedAt)}
                    </time>
                  </span>
                </a>
              </li>
            );
          }}
        </For>
      </ul>
    </div>
  );
}

// Formatters are costly to create: make them once, not per row per render.
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function formatTime(ms: number): string {
  const date = new Date(ms);
  return date.toDateString() === new Date().toDateString()
    ? timeFormat.format(date)
    : dateFormat.format(date);
}

/** The row a navigation key moves to from row `at` of `count`; undefined for any other key. */
function rowAfterKey(key: string, at: number, count: number): number | undefined {
  if (count === 0 || !Number.isInteger(at)) return undefined;
  switch (key) {
    case 'ArrowDown':
      return Math.min(at + 1, count - 1);
    case 'ArrowUp':
      return Math.max(at - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
