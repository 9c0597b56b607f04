// The relay loads collections from disk (at start, and again after eviction) and then applies every
// client's edits to them. A document loaded from bytes has its value column in one slab, and each
// first edit copies the rest of it and leaves wasm memory behind: split it once it is loaded, as the
// engine does (src/shared/value-column.ts). Documents without item buckets are left alone.

import type { Repo, RepoEvents } from '@automerge/automerge-repo';
import type { Logger } from '../shared/log.ts';
import { splitLoadedDocument } from '../shared/value-column.ts';

/** Splits the value column of each document the repo loads from storage; returns the unsubscribe. */
export function splitLoadedDocuments(repo: Repo, log: Logger): () => void {
  let stopped = false;
  const onMetrics: RepoEvents['doc-metrics'] = (event) => {
    if (event.type !== 'doc-loaded') return;
    const { documentId } = event;
    // Storage reports the load before the handle holds the document.
    setTimeout(() => {
      const handle = repo.handles[documentId];
      if (!handle || stopped) return;
      handle
        .whenReady()
        .then(() =>
          splitLoadedDocument(
            () => (!stopped && handle.isReady() ? handle.doc() : undefined),
            () => Promise.resolve(),
          ),
        )
        .then(
          (splits) => {
            if (splits > 0) log.debug(`value column split (${splits} points)`);
          },
          (error: unknown) => log.warn('could not split the value column', error),
        );
    }, 0);
  };
  repo.on('doc-metrics', onMetrics);
  return () => {
    stopped = true;
    repo.off('doc-metrics', onMetrics);
  };
}
