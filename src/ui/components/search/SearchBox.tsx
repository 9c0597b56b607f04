import type { JSX } from 'solid-js';
import { onCleanup } from 'solid-js';
import { isTyping } from '../../App.tsx';

/**
 * The global search box. "/" focuses it from anywhere; Escape clears it; arrows and Enter are passed
 * to the results, which keep the focus here (the active result is announced through it).
 */
export function SearchBox(props: {
  query: string;
  onQuery: (query: string) => void;
  onMove: (delta: number) => void;
  onOpen: () => void;
  /** The box gained or lost the focus. */
  onFocusChange: (focused: boolean) => void;
  activeResultId: string | null;
}): JSX.Element {
  let input: HTMLInputElement | undefined;
  const onGlobalKey = (event: KeyboardEvent) => {
    if (event.key !== '/' || isTyping(event) || event.metaKey || event.ctrlKey || event.altKey) return;
    event.preventDefault();
    input?.focus();
    input?.select();
  };
  addEventListener('keydown', onGlobalKey);
  onCleanup(() => removeEventListener('keydown', onGlobalKey));

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      props.onMove(event.key === 'ArrowDown' ? 1 : -1);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      props.onOpen();
    } else if (event.key === 'Escape') {
      props.onQuery('');
      input?.blur();
    }
  };

  return (
    <div class="search-box">
      <input
        ref={(el) => (input = el)}
        type="search"
        aria-label="Search"
        placeholder="Search  /"
        autocomplete="off"
        spellcheck={false}
        value={props.query}
        // Only while the list exists: an id that names nothing is invalid ARIA.
        aria-controls={props.activeResultId !== null ? 'search-results' : undefined}
        aria-activedescendant={props.activeResultId ?? undefined}
        onInput={(e) => props.onQuery(e.currentTarget.value)}
        onKeyDown={onKey}
        onFocus={() => props.onFocusChange(true)}
        onBlur={() => props.onFocusChange(false)}
      />
    </div>
  );
}
