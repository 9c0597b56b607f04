// Progress of a collection arriving on this device: first its bytes (while only the size is known),
// then its items as they become listed and searchable here. Both are role `progressbar`.

import type { JSX } from 'solid-js';
import { Show } from 'solid-js';
import type { TransferProgress } from '../../shared/types.ts';

/** A collection downloading for the first time: bytes, as item counts are not known yet. */
export function ReceivingBytes(props: { received: TransferProgress }): JSX.Element {
  const text = () =>
    props.received.totalBytes
      ? `Receiving ${formatBytes(props.received.bytes)} of ${formatBytes(props.received.totalBytes)}`
      : `Receiving ${formatBytes(props.received.bytes)}`;
  return (
    <div class="receiving">
      <progress
        aria-label="Receiving collection"
        aria-valuetext={text()}
        max={props.received.totalBytes ?? undefined}
        value={props.received.totalBytes ? props.received.bytes : undefined}
      />
      <p class="muted">{text()}</p>
    </div>
  );
}

/** Items of a collection still being stored and indexed here: `pending` of `total` to go. */
export interface ItemsProgress {
  pending: number;
  total: number;
}

/**
 * A collection that has just arrived: its items being stored in this device's catalog and search
 * index. When the bar completes, every item is searchable. Renders nothing otherwise.
 */
export function ReceivingItems(props: { progress: ItemsProgress | undefined }): JSX.Element {
  return (
    <Show when={props.progress?.pending ? props.progress : undefined}>
      {(p) => {
        const text = () =>
          `Receiving ${formatCount(p().total - p().pending)} of ${formatCount(p().total)} items`;
        return (
          <div class="receiving receiving-items">
            <progress aria-label={text()} max={p().total} value={p().total - p().pending} />
            <span class="muted">{text()}</span>
          </div>
        );
      }}
    </Show>
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const counts = new Intl.NumberFormat('en');

function formatCount(n: number): string {
  return counts.format(n);
}
