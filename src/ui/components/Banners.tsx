import type { JSX } from 'solid-js';
import { Show, createSignal, onCleanup } from 'solid-js';
import { useEngine } from '../engine-context.tsx';
import { applyUpdate, installPrompt, promptInstall, updateReady } from '../pwa.ts';

/** Update, reload-required and install prompts: calm, in the header, never a silent reload. */
export function Banners(): JSX.Element {
  const engine = useEngine();
  const [reloadReason, setReloadReason] = createSignal<string | null>(null);
  onCleanup(engine.onReloadRequired(setReloadReason));
  // Read models being (re)built from documents: after a format change, or a collection just arrived.
  const [indexing, setIndexing] = createSignal({ pending: 0, total: 0 });
  onCleanup(engine.subscribe({ type: 'readModelProgress' }, setIndexing));

  return (
    <div class="banners">
      <Show when={reloadReason()}>
        {(reason) => (
          <div class="banner" role="alert">
            {reason()} <button onClick={() => location.reload()}>Reload</button>
          </div>
        )}
      </Show>
      <Show when={updateReady() && !reloadReason()}>
        <div class="banner" role="status" aria-label="Update">
          Update available{' '}
          <button onClick={applyUpdate} title="Reload to use the new version">
            Reload
          </button>
        </div>
      </Show>
      <Show when={indexing().pending > 0}>
        <div class="banner indexing-banner">
          <progress
            aria-label="Building the search index"
            max={indexing().total}
            value={indexing().total - indexing().pending}
          />
          <span>Indexing {indexing().pending} items…</span>
        </div>
      </Show>
      <Show when={installPrompt()}>
        <button class="ghost" onClick={() => void promptInstall()}>
          Install
        </button>
      </Show>
    </div>
  );
}
