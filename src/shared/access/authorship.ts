// Items record who last changed them (`author`, the user's did:key), and the UI names that user.
// Automerge's actor ids are random and unauthenticated, so the author is only as true as the writer
// is honest: this check makes it verified. A change may set `author` only to the user who is
// authenticated as making it, and only as a plain value (not as collaborative text that could be
// spliced into someone else's name). Removing a key named "author" is allowed: a tag of that name is
// removed the same way, and a removal names no one.

/** The operation fields the check needs, as `Automerge.decodeChange(...).ops` gives them. */
export interface ChangeOperation {
  action: string;
  key?: string;
  value?: unknown;
}

export const AUTHOR_KEY = 'author';

/** True when the change's operations name an author other than `user`. */
export function forgesAuthor(operations: readonly ChangeOperation[], user: string): boolean {
  return operations.some((op) => {
    if (op.key !== AUTHOR_KEY) return false;
    if (op.action === 'del') return false;
    // Not a string (a tag named "author" is `true`): names no one.
    if (op.action === 'set') return typeof op.value === 'string' && op.value !== user;
    return true; // makeText, makeMap, makeList: a name that others could edit
  });
}

// Every change to a collection's content or to a body document names its author in its message, so
// that whoever receives it can tell whose it is: the relay checks the name against the
// authenticated connection that sent the change, and every engine checks the named user's role
// before applying it (src/worker/network/incoming-guard.ts). Without per-change signatures the name
// is only as true as the relay that checked it; an engine catches what a relay let through from a
// member who had no right to write.

/** The change message naming `user` as the change's author. */
export function authorClaim(user: string): string {
  return CLAIM_PREFIX + user;
}

/** The user a change message names as the change's author; undefined when it names no one. */
export function claimedAuthor(message: string | null | undefined): string | undefined {
  if (!message?.startsWith(CLAIM_PREFIX)) return undefined;
  const user = message.slice(CLAIM_PREFIX.length);
  return user.startsWith('did:key:') && !/\s/.test(user) ? user : undefined;
}

const CLAIM_PREFIX = 'pinax-author ';
