// Rebuild progress as tabs receive it. The read models report after every slice of a rebuild, about
// every 12 ms, and each report went to every tab as a message of its own: in a 10,000-item import,
// ~100 ms of the engine's time went into posting them (profiled), while a tab's progress bar moves
// no differently at ten reports a second.

import type { RebuildProgress } from './indexing-progress.ts';

/**
 * Subscribes `push` through `subscribe`, passing on at most one report per `intervalMs` (the latest,
 * at the end of the interval), except the first and any that says nothing is pending: those go at
 * once, as the end of indexing is what a tab waits for. Returns the unsubscribe.
 */
export function throttledProgress(
  subscribe: (listener: (progress: RebuildProgress) => void) => () => void,
  push: (progress: RebuildProgress) => void,
  intervalMs = PROGRESS_PUSH_MS,
): () => void {
  let sentAt = -Infinity;
  let latest: RebuildProgress | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = (progress: RebuildProgress) => {
    clearTimeout(timer);
    timer = undefined;
    latest = undefined;
    sentAt = performance.now();
    push(progress);
  };
  const unsubscribe = subscribe((progress) => {
    if (progress.pending === 0 || performance.now() - sentAt >= intervalMs) return send(progress);
    latest = progress;
    timer ??= setTimeout(() => latest && send(latest), intervalMs - (performance.now() - sentAt));
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}

/** At most ten reports a second: smooth enough for a progress bar. */
const PROGRESS_PUSH_MS = 100;
