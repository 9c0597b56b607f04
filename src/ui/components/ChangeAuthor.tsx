import type { JSX } from 'solid-js';
import { Show } from 'solid-js';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { fingerprintOf } from '../../shared/identity/did-key.ts';

/**
 * Who wrote a version: the user the change names (the relay takes a change only from the user it
 * names), or, for changes from before changes named their authors, the writing device's actor id.
 */
export function ChangeAuthor(props: {
  author?: string | undefined;
  actor: string;
  nameOf?: ((user: string) => string) | undefined;
}): JSX.Element {
  return (
    <Show
      when={props.author}
      fallback={
        <span class="muted actor" title="An older change that names no author: the writing device's id">
          by device {props.actor}
        </span>
      }
    >
      {(author) => (
        <span class="muted actor" title="The author the change names; the relay checked it on arrival">
          by {props.nameOf?.(author()) ?? fingerprintOf(author() as DidKey)}
        </span>
      )}
    </Show>
  );
}
