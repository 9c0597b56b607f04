// Changes to a collection, its body documents and its access document name their author in their
// message (authorship.ts): the relay refuses content changes that do not, and other members'
// engines check the named user's role before applying any of them (change-guard.ts). Pass
// `authored(user)` to every such `handle.change`.

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { authorClaim } from './authorship.ts';

/** Change options naming `user` as the change's author. */
export function authored(user: string): { message: string } {
  return { message: authorClaim(user) };
}

/**
 * A new document holding `initial`, written by one change that names its author: `repo.create`
 * writes its first change without a message.
 */
export function createAuthored<T extends object>(repo: Repo, initial: T, user: string): DocHandle<T> {
  const doc = Automerge.change(Automerge.init<T>(), authored(user), (draft) => {
    Object.assign(draft, initial);
  });
  return repo.import<T>(Automerge.save(doc));
}
