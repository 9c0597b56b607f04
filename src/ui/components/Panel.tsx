import type { JSX } from 'solid-js';
import { Show } from 'solid-js';

/** The frame of a side panel (history, timeline, import and export): heading, Close, error line. */
export function Panel(props: {
  class: string;
  title: string;
  closeLabel: string;
  onClose: () => void;
  error: string | null;
  children: JSX.Element;
}): JSX.Element {
  return (
    <section class={props.class} aria-label={props.title}>
      <header class="history-header">
        <h2>{props.title}</h2>
        <button class="ghost" onClick={() => props.onClose()}>
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
