// The one rule for whether a change to a collection may be applied, by the user who made it. The
// relay applies it to every change that arrives on an authenticated connection
// (src/server/access-guard.ts), and every engine to the changes that reach it from the relay, by
// the author each change names (src/worker/network/incoming-guard.ts). Both resolve the roles from
// the collection's signed access document with the same resolver (resolve.ts).

import type { DidKey } from '../identity/did-key.ts';
import type { ResolvedAccess } from './resolve.ts';
import { canEditAccess, canEditContent } from './resolve.ts';

/** The documents of a collection: its own (the content), its items' bodies, its access, its social. */
export type GuardedPart = 'collection' | 'body' | 'access' | 'social';

/**
 * Content and bodies: editors and owners. The access document: owners. Comments and likes: every
 * member. No one without resolved access, and no anonymous user, changes anything.
 */
export function mayChange(
  access: ResolvedAccess | undefined,
  part: GuardedPart,
  user: DidKey | undefined,
): boolean {
  if (!access || user === undefined) return false;
  const role = access.members.get(user)?.role;
  if (part === 'access') return canEditAccess(role);
  if (part === 'social') return role !== undefined;
  return canEditContent(role);
}
