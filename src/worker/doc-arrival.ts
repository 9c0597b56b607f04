// Waiting for a document that may arrive late. A handle that automerge-repo marked unavailable
// (nobody had it when asked) still becomes ready when a peer sends the document later, and emits
// its first change then; `repo.find` without allowable states rejects at "unavailable" and would
// miss that arrival, leaving a subscriber stale until something else happens to refresh it.

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { isValidAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo/slim';

/** The states a subscriber accepts a handle in, to wait on it rather than fail. */
export const ANY_STATE = { allowableStates: ['ready', 'unavailable', 'requesting'] };

/** The handle of the document `url` names, whatever its state; undefined for no valid URL. */
export async function findInAnyState<T>(repo: Repo, url: string): Promise<DocHandle<T> | undefined> {
  if (!isValidAutomergeUrl(url)) return undefined;
  return repo.find<T>(parseAutomergeUrl(url).documentId, ANY_STATE).catch(() => undefined);
}

/**
 * Calls `arrived` once the handle holds a document: now if it does, else on its first change.
 * Returns the unsubscribe.
 */
export function onArrival(handle: DocHandle<unknown>, arrived: () => void): () => void {
  if (handle.isReady()) {
    arrived();
    return () => undefined;
  }
  const listener = (): void => {
    handle.off('change', listener);
    arrived();
  };
  handle.on('change', listener);
  return () => handle.off('change', listener);
}
