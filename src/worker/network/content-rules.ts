// The engine's answers to the incoming guard's questions (network/incoming-guard.ts): which
// collection governs a document, and whether a user may change it, by the shared rule
// (shared/access/change-guard.ts) over the roles resolved from the access document this device
// holds, as the members list and every command resolve them (access/collection-access.ts).

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { isValidAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo/slim';
import { ACCESS_KIND } from '../../shared/access/access-doc.ts';
import { mayChange } from '../../shared/access/change-guard.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import type { CollectionId } from '../../shared/types.ts';
import type { CollectionAccess } from '../access/collection-access.ts';
import type { BodyDocs } from '../bodies.ts';
import { COLLECTION_KIND, readString, type CollectionDoc } from '../domain/collection-doc.ts';
import type { ContentRules } from './incoming-guard.ts';

/**
 * Rules over the engine's Repo, body documents and access. The guard is made before the Repo is
 * (it rides on the relay adapter the Repo is built with); until they exist it governs nothing.
 */
export function engineContentRules(
  repo: Promise<Repo>,
  bodies: Promise<BodyDocs>,
  access: () => CollectionAccess,
): ContentRules {
  let repoNow: Repo | undefined;
  let bodiesNow: BodyDocs | undefined;
  void repo.then((r) => (repoNow = r)).catch(() => undefined);
  void bodies.then((b) => (bodiesNow = b)).catch(() => undefined);

  const readyHandle = (documentId: string): DocHandle<unknown> | undefined => {
    const handle = repoNow?.handles[documentId as never] as DocHandle<unknown> | undefined;
    return handle?.isReady() ? handle : undefined;
  };

  return {
    readyHandle,
    governing(documentId) {
      const doc = readyHandle(documentId)?.doc() as { kind?: unknown; collection?: unknown } | undefined;
      if (doc?.kind === COLLECTION_KIND) return { collectionId: documentId, part: 'collection' };
      if (doc?.kind === ACCESS_KIND && typeof doc.collection === 'string')
        return { collectionId: doc.collection, part: 'access' };
      const collectionId = bodiesNow?.collectionOf(documentId);
      return collectionId ? { collectionId, part: 'body' } : undefined;
    },
    async mayChange({ collectionId, part }, user) {
      const handle = readyHandle(collectionId) as DocHandle<CollectionDoc> | undefined;
      if (!handle) return undefined;
      // Without its access document here, this device cannot tell: the relay's word stands.
      const accessUrl = readString(handle.doc().access);
      if (!isValidAutomergeUrl(accessUrl) || !readyHandle(parseAutomergeUrl(accessUrl).documentId))
        return undefined;
      const resolved = await access().resolve({ id: collectionId as CollectionId, handle });
      return resolved ? mayChange(resolved, part, user as DidKey) : undefined;
    },
  };
}
