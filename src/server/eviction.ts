// Drops documents nobody has synced for a while from the relay's memory. automerge-repo keeps every
// handle it ever loaded, so without this a relay's memory only grows as clients come and go. An
// evicted document stays on disk and is loaded again by the next message or request for it.
//
// Before a document goes, it is flushed and any compaction waiting for it runs, so what is on disk
// is complete and compact. Repo.removeFromCache is patched (patches/README.md) so that unloading
// the handle cannot save its emptied document over the real one.

import type { DocumentId, Repo } from '@automerge/automerge-repo';
import type { Logger } from '../shared/log.ts';

export interface EvictionOptions {
  /** How long a document may go without a sync message in or out before it is dropped. */
  idleMs: number;
  /** Documents that always stay (the directory). */
  pinned: (documentId: DocumentId) => boolean;
  /** Runs a compaction still waiting for the document; false when it could not run yet. */
  settle: (documentId: DocumentId) => Promise<boolean>;
  log: Logger;
}

export interface Eviction {
  /** One pass now; resolves with how many documents were dropped. */
  sweep(): Promise<number>;
  stop(): void;
}

export function evictIdleDocuments(repo: Repo, options: EvictionOptions): Eviction {
  const { idleMs, pinned, settle, log } = options;
  const lastActive = new Map<DocumentId, number>();
  const touch = (documentId: DocumentId | undefined): void => {
    if (documentId) lastActive.set(documentId, Date.now());
  };
  // Some messages (remote-subscription control) name no document.
  const onMessage = (message: object): void =>
    touch('documentId' in message ? (message.documentId as DocumentId) : undefined);
  const onDocument = ({ handle }: { handle: { documentId: DocumentId } }): void => touch(handle.documentId);
  repo.networkSubsystem.on('message', onMessage);
  repo.synchronizer.on('message', onMessage);
  repo.on('document', onDocument);

  let sweeping: Promise<number> | undefined;
  const sweep = (): Promise<number> => (sweeping ??= evictIdle().finally(() => (sweeping = undefined)));

  const evictIdle = async (): Promise<number> => {
    let evicted = 0;
    for (const [key, handle] of Object.entries(repo.handles)) {
      const id = key as DocumentId;
      if (pinned(id) || !handle.isReady()) continue;
      const since = lastActive.get(id);
      if (since === undefined) {
        touch(id); // loaded before we started watching: give it a full idle period
        continue;
      }
      if (Date.now() - since < idleMs) continue;
      try {
        await repo.flush([id]);
        if (!(await settle(id))) continue;
        // A message may have arrived while flushing: then it is not idle after all.
        if (lastActive.get(id) !== since) continue;
        await repo.removeFromCache(id);
        lastActive.delete(id);
        evicted++;
      } catch (error) {
        log.error('could not evict an idle document', error);
      }
    }
    if (evicted > 0) log.debug(`evicted ${evicted} idle document(s)`);
    return evicted;
  };

  // Often enough that a document is gone within 1.5 idle periods; at least every minute.
  const timer = setInterval(() => void sweep(), Math.max(50, Math.min(idleMs / 2, 60_000)));
  timer.unref();
  return {
    sweep,
    stop() {
      clearInterval(timer);
      repo.networkSubsystem.off('message', onMessage);
      repo.synchronizer.off('message', onMessage);
      repo.off('document', onDocument);
    },
  };
}
