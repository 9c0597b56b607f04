import type { JSX } from 'solid-js';
import { For, Show, createSignal } from 'solid-js';
import { MAX_COMMENT_CHARS } from '../../shared/social/reactions.ts';
import type { CollectionId, ItemId } from '../../shared/types.ts';
import { errorMessage } from '../engine-client.ts';
import { createEngineSubscription, useEngine } from '../engine-context.tsx';

/**
 * An item's likes and comments. Every entry is signed by its author's device; an entry that does not
 * verify (or whose author is not a member) is marked "unverified" and never counted.
 */
export function ItemReactions(props: { collectionId: CollectionId; itemId: ItemId }): JSX.Element {
  const engine = useEngine();
  const social = createEngineSubscription(engine, {
    type: 'itemSocial',
    collectionId: props.collectionId,
    itemId: props.itemId,
  });
  const following = createEngineSubscription(engine, { type: 'following' });
  const [error, setError] = createSignal<string | null>(null);
  const [draft, setDraft] = createSignal('');

  const like = async () => {
    setError(null);
    try {
      const on = !(social()?.likedByMe ?? false);
      await engine.command({ type: 'setLike', collectionId: props.collectionId, itemId: props.itemId, on });
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  const follow = async (entry: { user: string; activity?: string; name: string }) => {
    if (!entry.activity) return;
    setError(null);
    try {
      await engine.command({
        type: 'followUser',
        user: entry.user,
        activity: entry.activity,
        name: entry.name,
      });
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  const comment = async (event: SubmitEvent) => {
    event.preventDefault();
    const text = draft().trim();
    if (!text) return;
    setError(null);
    try {
      await engine.command({
        type: 'addComment',
        collectionId: props.collectionId,
        itemId: props.itemId,
        text,
      });
      setDraft('');
    } catch (failure) {
      setError(errorMessage(failure));
    }
  };

  return (
    <section class="item-reactions" aria-label="Comments and likes">
      <div class="actions">
        <button
          class="ghost"
          aria-pressed={social()?.likedByMe ?? false}
          disabled={!social()?.canReact}
          onClick={() => void like()}
        >
          {social()?.likedByMe ? 'Liked' : 'Like'} ({social()?.likes ?? 0})
        </button>
      </div>
      <h3>Comments</h3>
      <ul class="comments" aria-label="Comments">
        <For each={social()?.comments ?? []}>
          {(entry) => (
            <li classList={{ unverified: !entry.verified }}>
              {/* Names are self-asserted: the key's fingerprint stands beside them. */}
              <strong>{entry.name || 'Someone'}</strong> <span class="fingerprint">{entry.fingerprint}</span>{' '}
              <Show when={!entry.verified}>
                <span class="badge">unverified</span>{' '}
              </Show>
              <time class="muted" dateTime={new Date(entry.at).toISOString()}>
                {new Date(entry.at).toLocaleString()}
              </time>
              <p>{entry.text}</p>
              <Show when={entry.verified && entry.activity && entry.user !== social()?.self}>
                <Show
                  when={!(following()?.users ?? []).includes(entry.user)}
                  fallback={<span class="muted">Following {entry.name || 'them'}</span>}
                >
                  <button class="ghost" onClick={() => void follow(entry)}>
                    Follow {entry.name || 'them'}
                  </button>
                </Show>
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={social()?.canReact}>
        <form onSubmit={(event) => void comment(event)}>
          <label for={`comment-${props.itemId}`}>Add a comment</label>
          <textarea
            id={`comment-${props.itemId}`}
            maxLength={MAX_COMMENT_CHARS}
            value={draft()}
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button class="primary" type="submit" disabled={!draft().trim()}>
            Comment
          </button>
        </form>
      </Show>
      <Show when={error()}>
        <p role="alert" class="field-error">
          {error()}
        </p>
      </Show>
    </section>
  );
}
