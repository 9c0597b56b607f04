// A button that opens a short list of less used actions beside it, so a toolbar keeps to one row.
// It is an HTML popover: the browser gives it light dismiss, Escape, the focus back on the button,
// and puts the actions right after the button in the Tab order. The actions stay ordinary buttons
// (a disclosure, not an ARIA menu), so they keep their names, pressed states and keyboard use.

import type { JSX } from 'solid-js';
import { createSignal } from 'solid-js';

export function ActionMenu(props: {
  /** Unique on the page: it ties the button to its popover. */
  id: string;
  /** The button's visible name, also the name of the group of actions. */
  label: string;
  children: JSX.Element;
}): JSX.Element {
  const [open, setOpen] = createSignal(false);
  let popover: HTMLDivElement | undefined;
  return (
    <>
      <button class="ghost" popovertarget={props.id} aria-expanded={open()}>
        {props.label} <span aria-hidden="true">▾</span>
      </button>
      <div
        ref={(el) => (popover = el)}
        id={props.id}
        popover="auto"
        class="action-menu"
        role="group"
        aria-label={props.label}
        onToggle={(event) => setOpen((event as ToggleEvent).newState === 'open')}
        // Closed once an action ran (its own handler runs first, on the button): a menu that stayed
        // open would hide the result of the action, the renamed title say, behind it.
        onClick={(event) => {
          if (event.target instanceof Element && event.target.closest('button')) popover?.hidePopover();
        }}
      >
        {props.children}
      </div>
    </>
  );
}
