// Keys typed while a new item is being created. From "n" (or New item) to its title having focus
// takes a command, a durable write and a navigation: 40-65 ms here, more on a slow device. A quick
// typist's first letters land in that window, where nothing editable has focus, and were lost.
// They are caught here and handed to the title when it takes focus.

import { isEditable } from './editable.ts';

/** Printable keys caught since capture began; `take` ends the capture. */
export interface TypeAhead {
  /** Ends the capture (if still on) and returns what was typed, once. */
  take(): string;
}

/**
 * Starts catching printable keys that reach no editable element. They are kept from the page's
 * shortcuts too ("n" in a title must not start yet another item). Capture ends on `take`, or after
 * `maxMs` in case the editor never opens.
 */
export function captureTypeAhead(maxMs = MAX_CAPTURE_MS): TypeAhead {
  let text = '';
  let capturing = true;
  const onKey = (event: KeyboardEvent) => {
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isEditable(event.target)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    text += event.key;
  };
  const stop = () => {
    if (!capturing) return;
    capturing = false;
    clearTimeout(timer);
    removeEventListener('keydown', onKey, true);
  };
  addEventListener('keydown', onKey, true);
  const timer = setTimeout(stop, maxMs);
  return {
    take() {
      stop();
      const typed = text;
      text = '';
      return typed;
    },
  };
}

/** Long enough for a slow engine to create the item; short enough not to swallow later typing. */
const MAX_CAPTURE_MS = 2_000;
