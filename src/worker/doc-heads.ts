// A handle's heads, encoded once per document state. `DocHandle.heads()` base58check-encodes every
// head (two SHA-256 in JavaScript each) on every call, and some callers ask on a timer for every
// loaded document (the sync status) or on every command (the access rules' cache key). An Automerge
// document object is immutable and replaced on every change, so its identity keys the answer.

import type { DocHandle } from '@automerge/automerge-repo/slim';

type Heads = ReturnType<DocHandle<unknown>['heads']>;

const byDoc = new WeakMap<object, Heads>();

/** The handle's current heads (the handle must be ready). */
export function headsOf(handle: DocHandle<unknown>): Readonly<Heads> {
  const doc = handle.doc() as object;
  let heads = byDoc.get(doc);
  if (!heads) {
    heads = handle.heads();
    byDoc.set(doc, heads);
  }
  return heads;
}

/** Whether two sets of heads are the same, in any order (heads are distinct hashes). */
export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((hash) => b.includes(hash));
}
