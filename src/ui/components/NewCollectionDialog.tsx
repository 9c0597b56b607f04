import type { JSX } from 'solid-js';
import { Show, createSignal } from 'solid-js';
import { checkName } from '../../shared/limits.ts';
import { errorMessage } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';
import { collectionHref, navigate } from '../router.ts';

export function NewCollectionDialog(): JSX.Element {
  const engine = useEngine();
  let dialog: HTMLDialogElement | undefined;
  let input: HTMLInputElement | undefined;
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const open = () => {
    setError(null);
    if (input) input.value = '';
    dialog?.showModal();
    input?.focus();
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = input?.value ?? '';
    const invalid = checkName(name);
    if (invalid) return setError(invalid.message);
    setBusy(true);
    try {
      const { collectionId } = await engine.command({ type: 'createCollection', name });
      dialog?.close();
      navigate(collectionHref(collectionId));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button class="primary" onClick={open}>
        New collection
      </button>
      <dialog ref={(el) => (dialog = el)} aria-labelledby="new-collection-title" class="dialog">
        <form onSubmit={(e) => void submit(e)}>
          <h2 id="new-collection-title">New collection</h2>
          <label for="new-collection-name">Name</label>
          <input
            id="new-collection-name"
            ref={(el) => (input = el)}
            autocomplete="off"
            aria-invalid={error() ? 'true' : undefined}
            aria-describedby={error() ? 'new-collection-error' : undefined}
            onInput={() => setError(null)}
          />
          <Show when={error()}>
            <p id="new-collection-error" class="field-error" role="alert">
              {error()}
            </p>
          </Show>
          <div class="actions">
            <button type="button" class="ghost" onClick={() => dialog?.close()}>
              Cancel
            </button>
            <button type="submit" class="primary" disabled={busy()}>
              Create
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
