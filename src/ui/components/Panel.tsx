import type { JSX } from 'solid-js';
import { Show, onMount } from 'solid-js';

/** The frame of a side panel (history, timeline, import and export): heading, Close, error line. */
export function Panel(props: {
  class: string;
  title: string;
  closeLabel: string;
  onClose: () => void;
  error: string | null;
  /**
   * How the panel is brought into view when it opens: 'nearest' (the default) scrolls only as far
   * as needed; 'start' brings its top to the top, for a panel that opens below long content and
   * grows once its data arrives (an item's history, under the editor).
   */
  reveal?: 'nearest' | 'start';
  children: JSX.Element;
}): JSX.Element {
  let section: HTMLElement | undefined;
  // The button that opened the panel (it has focus when clicked) gets focus back on Close, instead
  // of focus falling to the page when the Close button goes away with the panel.
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  // A panel can open out of sight (History sits below a long editor): the click must show something.
  onMount(() => section?.scrollIntoView({ block: props.reveal ?? 'nearest' }));
  const close = () => {
    props.onClose();
    if (opener?.isConnected) opener.focus();
  };
  return (
    <section ref={(el) => (section = el)} class={props.class} aria-label={props.title}>
      <header class="history-header">
        <h2>{props.title}</h2>
        <button class="ghost" onClick={close}>
          {props.closeLabel}
        </button>
      </header>
      <Show when={props.error}>
        <p class="field-error" role="alert">
          {props.error}
        </p>
      </Show>
      {props.children}
    </section>
  );
}
