import type { DidKey } from '../../shared/identity/did-key.ts';
import { fingerprintOf } from '../../shared/identity/did-key.ts';
import type { JSX } from 'solid-js';
import { For, Show, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import type { FieldError, FieldName } from '../../shared/limits.ts';
import { checkBody, checkTags, checkTitle, parseTags } from '../../shared/limits.ts';
import type { SubscriptionPayloads } from '../../shared/protocol.ts';
import type { CollectionId, ItemDetail, ItemId } from '../../shared/types.ts';
import { makeCoalescingWriter, type CoalescingWriter } from '../coalescing-writer.ts';
import { EngineRequestError } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';
import { replacePreservingCaret } from '../caret.ts';
import type { TypeAhead } from '../type-ahead.ts';
import { ItemHistory } from './ItemHistory.tsx';
import { ItemReactions } from './ItemReactions.tsx';
import { makeLogger } from '../../shared/log.ts';

type EditableField = Extract<FieldName, 'title' | 'body' | 'tags'>;
type Writers = Record<EditableField, CoalescingWriter<string>>;

let titleFocusFor: { itemId: ItemId; typed: TypeAhead | undefined } | null = null;

/**
 * Asks the editor to focus its title once it shows this item (a just-created one, or a search
 * result); what `typed` caught until then is put into the title.
 */
export function requestTitleFocus(itemId: ItemId, typed?: TypeAhead): void {
  titleFocusFor?.typed?.take();
  titleFocusFor = { itemId, typed };
}

export function ItemEditor(props: {
  collectionId: CollectionId;
  itemId: ItemId;
  onClose: () => void;
  /** Shown at the top of the panel, e.g. who else is editing this item. */
  notice?: JSX.Element;
  /** A viewer: the fields show the item and cannot be changed. */
  readOnly?: boolean;
  /** How to name a user (did:key): the name their collection's owners gave them, or a fingerprint. */
  nameOf?: (user: string) => string;
}): JSX.Element {
  const engine = useEngine();
  const [item, setItem] = createSignal<ItemDetail | null>(null);
  const [missing, setMissing] = createSignal(false);
  const [errors, setErrors] = createSignal<Partial<Record<EditableField, string>>>({});
  const [showHistory, setShowHistory] = createSignal(false);
  const fields: Partial<Record<EditableField, HTMLInputElement | HTMLTextAreaElement>> = {};
  const dirty = new Set<EditableField>();

  // Called on every keystroke: keep the same object (no re-render) while the message stays the same.
  const setError = (field: EditableField, message: string | undefined) =>
    setErrors((prev) => (prev[field] === message ? prev : { ...prev, [field]: message }));

  // One set of writers per item shown. The editor stays mounted from one item to the next, and may
  // close, while the last keystrokes are still queued: each writer keeps the ids of the item they
  // were typed into, and finishes its queue whatever the editor shows by then.
  const writersByItem = new Map<string, Writers>();
  let shown = untrack(() => ({
    collectionId: props.collectionId,
    itemId: props.itemId,
    writers: writersFor(props.collectionId, props.itemId),
  }));
  // Read from `shown`, never from props: once the panel has closed, its props are stale reads.
  let closed = false;
  onCleanup(() => (closed = true));
  const isShowing = (collectionId: CollectionId, itemId: ItemId) =>
    !closed && shown.collectionId === collectionId && shown.itemId === itemId;

  /**
   * The item's writers: those made when it was shown before (their queue may not be done: a write
   * queued there must not land after a newer one from a second set), or new ones.
   */
  function writersFor(collectionId: CollectionId, itemId: ItemId): Writers {
    const key = `${collectionId}/${itemId}`;
    let writers = writersByItem.get(key);
    if (!writers) {
      writers = makeWriters(collectionId, itemId);
      writersByItem.set(key, writers);
    }
    return writers;
  }

  function makeWriters(collectionId: CollectionId, itemId: ItemId): Writers {
    const writerFor = (field: EditableField) =>
      makeCoalescingWriter<string>(
        (value) =>
          engine.command({
            type: 'updateItem',
            collectionId,
            itemId,
            ...(field === 'tags' ? { tags: parseTags(value) } : { [field]: value }),
          }),
        (error) => {
          const message =
            error instanceof EngineRequestError ? error.rpc.message : `Not saved: ${String(error)}`;
          if (isShowing(collectionId, itemId)) setError(field, message);
          else log.error(`an edit to an item no longer shown was not saved: ${message}`);
        },
        () => {
          if (!isShowing(collectionId, itemId)) return;
          dirty.delete(field);
          const current = item();
          if (current) showRemote(current);
        },
      );
    return { title: writerFor('title'), body: writerFor('body'), tags: writerFor('tags') };
  }

  const check: Record<EditableField, (value: string) => FieldError | undefined> = {
    title: checkTitle,
    body: checkBody,
    tags: (value) => checkTags(parseTags(value)),
  };

  const onInput = (field: EditableField, value: string) => {
    const invalid = check[field](value);
    setError(field, invalid?.message);
    if (invalid) return; // nothing is saved while the field is over its limit
    dirty.add(field);
    shown.writers[field].write(value);
  };

  /** Shows the engine's values in every field the user is not in the middle of editing. */
  const showRemote = (detail: ItemDetail) => {
    const values: Record<EditableField, string> = {
      title: detail.title,
      body: detail.body,
      tags: detail.tags.join(', '),
    };
    for (const field of ['title', 'body', 'tags'] as const) {
      const el = fields[field];
      if (!el || dirty.has(field) || shown.writers[field].busy() || errors()[field]) continue;
      // Same tag set in another order or spacing: leave the user's text alone.
      if (field === 'tags' && [...parseTags(el.value)].sort().join(', ') === values.tags) continue;
      if (el.value !== values[field]) replacePreservingCaret(el, values[field]);
    }
  };

  createEffect(
    on(
      () => [props.collectionId, props.itemId] as const,
      ([collectionId, itemId]) => {
        setItem(null);
        setMissing(false);
        setErrors({});
        setShowHistory(false);
        dirty.clear();
        if (shown.collectionId !== collectionId || shown.itemId !== itemId)
          shown = { collectionId, itemId, writers: writersFor(collectionId, itemId) };
        if (titleFocusFor?.itemId === itemId) {
          const { typed } = titleFocusFor;
          titleFocusFor = null;
          queueMicrotask(() => {
            const title = fields.title;
            title?.focus();
            const text = typed?.take() ?? '';
            if (!title || text === '') return;
            title.value += text;
            onInput('title', title.value);
          });
        }
        const unsubscribe = engine.subscribe(
          { type: 'item', collectionId, itemId },
          (payload: SubscriptionPayloads['item']) => {
            if (payload.status === 'missing') return setMissing(true);
            setMissing(false);
            setItem(payload.item);
            queueMicrotask(() => showRemote(payload.item));
          },
        );
        onCleanup(unsubscribe);
      },
    ),
  );

  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !document.querySelector('dialog[open]')) props.onClose();
  };
  addEventListener('keydown', onKey);
  onCleanup(() => removeEventListener('keydown', onKey));

  const remove = async () => {
    await engine.command({ type: 'deleteItem', collectionId: props.collectionId, itemId: props.itemId });
    props.onClose();
  };

  const resolve = (value: string) =>
    void engine.command({
      type: 'resolveConflict',
      collectionId: props.collectionId,
      itemId: props.itemId,
      field: 'title',
      value,
    });

  return (
    <section class="item-panel" aria-label="Item editor">
      {props.notice}
      <div class="panel-bar">
        <button class="ghost" onClick={() => props.onClose()} aria-label="Close item">
          ✕
        </button>
      </div>
      <Show when={!missing()} fallback={<p class="muted">This item was deleted or is not available.</p>}>
        <Show when={!props.readOnly && (item()?.titleConflicts.length ?? 0) > 1}>
          <div class="conflict" role="group" aria-label="Title conflict">
            <p>
              Two versions of this title were written at the same time. Keep one, or edit the title to merge
              them.
            </p>
            <ul>
              <For each={item()?.titleConflicts ?? []}>
                {(value) => (
                  <li>
                    <q>{value}</q> <button onClick={() => resolve(value)}>Keep “{value}”</button>
                  </li>
                )}
              </For>
            </ul>
          </div>
        </Show>
        <Show when={item()?.author}>
          {(author) => (
            <p class="muted item-author">
              Last changed by {props.nameOf?.(author()) ?? fingerprintOf(author() as DidKey)}
            </p>
          )}
        </Show>
        <Field label="Title" field="title" error={errors().title}>
          <input
            id="item-title"
            ref={(el) => (fields.title = el)}
            autocomplete="off"
            placeholder="Untitled"
            readOnly={props.readOnly}
            {...a11y('title', errors().title)}
            onInput={(e) => onInput('title', e.currentTarget.value)}
          />
        </Field>
        <Field label="Tags" field="tags" error={errors().tags} hint="Separate tags with commas">
          <input
            id="item-tags"
            ref={(el) => (fields.tags = el)}
            autocomplete="off"
            readOnly={props.readOnly}
            {...a11y('tags', errors().tags)}
            onInput={(e) => onInput('tags', e.currentTarget.value)}
          />
        </Field>
        <Field label="Body" field="body" error={errors().body}>
          <textarea
            id="item-body"
            ref={(el) => (fields.body = el)}
            rows={14}
            readOnly={props.readOnly}
            {...a11y('body', errors().body)}
            onInput={(e) => onInput('body', e.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button class="ghost" aria-expanded={showHistory()} onClick={() => setShowHistory((v) => !v)}>
            History
          </button>
          <Show when={!props.readOnly}>
            <button class="ghost danger" onClick={() => void remove()}>
              Delete item
            </button>
          </Show>
        </div>
        <ItemReactions collectionId={props.collectionId} itemId={props.itemId} />
        <Show when={showHistory()}>
          <ItemHistory
            collectionId={props.collectionId}
            itemId={props.itemId}
            revision={item()?.updatedAt ?? 0}
            nameOf={props.nameOf}
            onClose={() => setShowHistory(false)}
          />
        </Show>
      </Show>
    </section>
  );
}

function Field(props: {
  label: string;
  field: EditableField;
  error: string | undefined;
  hint?: string;
  children: JSX.Element;
}): JSX.Element {
  return (
    <div class="field">
      <label for={`item-${props.field}`}>{props.label}</label>
      {props.children}
      <Show when={props.hint}>
        <p class="hint" id={`item-${props.field}-hint`}>
          {props.hint}
        </p>
      </Show>
      <Show when={props.error}>
        <p class="field-error" id={`item-${props.field}-error`} role="alert">
          {props.error}
        </p>
      </Show>
    </div>
  );
}

function a11y(field: EditableField, error: string | undefined) {
  return {
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? `item-${field}-error` : undefined,
  };
}

const log = makeLogger('pinax:item-editor');
