import type { JSX } from 'solid-js';
import { For, Show, createSignal, onCleanup } from 'solid-js';
import type { ExportFormat, ImportProgress } from '../../shared/queries.ts';
import type { CollectionId } from '../../shared/types.ts';
import { errorMessage } from '../engine-client.ts';
import { useEngine } from '../engine-context.tsx';
import { Panel } from './Panel.tsx';

/** Same limit as the engine's parser: larger files are refused here, before they are even read. */
const MAX_FILE_BYTES = 20_000_000;
const ACCEPT = '.json,.md,.markdown,.zip,.automerge,application/json,text/markdown,application/zip';

/**
 * Import: files go to the engine, which imports them in batches and streams progress; Cancel stops
 * after the current batch. Export: JSON, a zip of Markdown files, or the raw Automerge document.
 */
export function ImportExport(props: { collectionId: CollectionId; onClose: () => void }): JSX.Element {
  const engine = useEngine();
  const [progress, setProgress] = createSignal<ImportProgress | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  let cancel: (() => void) | undefined;
  onCleanup(() => cancel?.());

  const running = () => {
    const phase = progress()?.phase;
    return phase === 'parsing' || phase === 'importing';
  };

  const start = async (list: FileList | null) => {
    setError(null);
    const files = [...(list ?? [])];
    if (files.length === 0) return;
    const tooLarge = files.filter((f) => f.size > MAX_FILE_BYTES);
    if (tooLarge.length > 0) {
      setError(
        `${tooLarge.map((f) => f.name).join(', ')}: larger than ${MAX_FILE_BYTES / 1_000_000} MB. Nothing was imported.`,
      );
      return;
    }
    const data = await Promise.all(
      files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })),
    );
    cancel?.();
    setProgress({ phase: 'parsing', total: 0, imported: 0, problems: [] });
    const unsubscribe = engine.subscribe(
      { type: 'import', collectionId: props.collectionId, files: data },
      (next) => {
        setProgress(next);
        if (next.phase === 'done' || next.phase === 'cancelled' || next.phase === 'failed') {
          unsubscribe();
          cancel = undefined;
        }
      },
    );
    cancel = unsubscribe;
  };

  const stop = () => {
    cancel?.();
    cancel = undefined;
    setProgress((p) => (p ? { ...p, phase: 'cancelled' } : p));
  };

  const download = async (format: ExportFormat) => {
    setError(null);
    try {
      const file = await engine.command({
        type: 'exportCollection',
        collectionId: props.collectionId,
        format,
      });
      const url = URL.createObjectURL(
        new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.mimeType }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = file.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <Panel class="transfer" title="Import and export" closeLabel="Close" onClose={props.onClose} error={null}>
      <div class="field">
        <label for="import-file">Import file</label>
        <input
          id="import-file"
          type="file"
          multiple
          accept={ACCEPT}
          disabled={running()}
          onChange={(e) => {
            const input = e.currentTarget;
            void start(input.files).finally(() => (input.value = ''));
          }}
        />
        <p class="hint">A JSON array of {'{title, body, tags}'}, Markdown files, or a Pinax export.</p>
      </div>
      <Show when={error()}>
        <p class="field-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={progress()}>
        {(p) => (
          <div class="import-progress">
            <progress aria-label="Import progress" max={Math.max(1, p().total)} value={p().imported} />
            <p role="status">{statusText(p())}</p>
            <Show when={running()}>
              <button class="ghost" onClick={stop}>
                Cancel import
              </button>
            </Show>
            <Show when={p().problems.length > 0}>
              <details open>
                <summary>
                  {p().problems.length === 1 ? '1 problem' : `${p().problems.length} problems`}
                </summary>
                <ul class="import-problems" aria-label="Import problems">
                  <For each={p().problems.slice(0, 200)}>
                    {(problem) => (
                      <li>
                        {problem.file}
                        {problem.position !== null ? `, item ${problem.position}` : ''}: {problem.reason}
                      </li>
                    )}
                  </For>
                </ul>
              </details>
            </Show>
          </div>
        )}
      </Show>
      <div class="actions">
        <button class="ghost" onClick={() => void download('json')}>
          Export JSON
        </button>
        <button class="ghost" onClick={() => void download('markdown')}>
          Export Markdown (zip)
        </button>
        <button class="ghost" onClick={() => void download('automerge')}>
          Export Automerge binary
        </button>
      </div>
    </Panel>
  );
}

function statusText(p: ImportProgress): string {
  switch (p.phase) {
    case 'parsing':
      return 'Reading files…';
    case 'importing':
      return `Importing ${p.imported} of ${items(p.total)}…`;
    case 'done':
      return p.total === 0 ? 'Nothing was imported.' : `Imported ${items(p.imported)}.`;
    case 'cancelled':
      return `Cancelled: ${p.imported} of ${items(p.total)} ${p.imported === 1 ? 'was' : 'were'} imported.`;
    case 'failed':
      return `Import failed: ${p.error ?? 'unknown error'}. ${items(p.imported)} ${p.imported === 1 ? 'was' : 'were'} imported.`;
  }
}

function items(count: number): string {
  return count === 1 ? '1 item' : `${count} items`;
}
