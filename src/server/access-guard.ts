// The relay's enforcement of collection access, on top of the shared resolver: who may read a
// guarded document (members-only collections are not served to non-members at all) and whose
// changes to it are applied (content and bodies: editors and owners, each change naming its true
// author; the access document: owners; comments and likes: any member). Refused
// changes are stripped from the sync message before the Repo stores or forwards anything.
// A user's personal documents (home, activity stream) are written by that user's devices only; a
// home is read by them only too. Anonymous connections (no device session) read link-visible
// collections and the public directory, and write nothing at all.

import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo';
import { accessEntriesOf } from '../shared/access/access-doc.ts';
import type { ResolvedAccess } from '../shared/access/resolve.ts';
import { canRead, resolveAccess } from '../shared/access/resolve.ts';
import { mayChange } from '../shared/access/change-guard.ts';
import type { Logger } from '../shared/log.ts';
import type { AccessRegistry } from './access-registry.ts';
import type { Identity } from './auth.ts';
import type { KnownChanges, RejectedMemory } from '../shared/sync/strip-changes.ts';
import { knownChangesOf, stripChanges } from '../shared/sync/strip-changes.ts';
import { reviewAuthorship } from './authorship-review.ts';
import { valueOf } from './document-value.ts';

export interface AccessGuard {
  mayRead(identity: Identity | undefined, documentId: string): Promise<boolean>;
  /**
   * The sync message to apply: `data` itself, or `data` without the changes this identity may not
   * make to the document.
   */
  filterSync(identity: Identity | undefined, documentId: string, data: Uint8Array): Promise<Uint8Array>;
  /** Changes refused since start, for /metrics. */
  readonly refusedChanges: number;
}

const VERDICTS = {
  unclaimed: 'sent a change that does not name its author',
  forged: 'sent a change naming someone else as its author',
  'builds-on-refused': 'built on a change that was refused',
} as const;

const NOTHING_KNOWN: KnownChanges = { has: () => false, depsOf: () => undefined };

/** Remembered refused changes per document (their dependencies), at most this many. */
const MAX_REMEMBERED = 10_000;

export interface AccessGuardOptions {
  /** Documents anyone may read, anonymous peers included (the relay's public directory). */
  isPublic?: (documentId: string) => boolean;
}

export function createAccessGuard(
  repo: Repo,
  registry: AccessRegistry,
  log: Logger,
  options: AccessGuardOptions = {},
): AccessGuard {
  const isPublic = options.isPublic ?? (() => false);
  const resolved = new Map<string, { heads: string; access: Promise<ResolvedAccess> }>();
  const signatureCache = new Map<string, boolean>();
  const memories = new Map<string, RejectedMemory>();
  let refusedChanges = 0;

  const accessOf = async (collectionId: DocumentId): Promise<ResolvedAccess | undefined> => {
    const entry = registry.collection(collectionId);
    if (!entry) return undefined;
    let handle: DocHandle<unknown> | undefined;
    let heads = '';
    try {
      // Never wait for the network here: the access document may be queued on this very socket.
      handle = await repo.find(entry.accessId, {
        allowableStates: ['ready', 'unavailable', 'requesting'],
      });
      if (handle.isReady()) heads = handle.heads().join(',');
    } catch {
      // Not here yet: only the creator counts (as owner) until the access document arrives.
    }
    const cached = resolved.get(collectionId);
    if (cached && cached.heads === heads) return cached.access;
    const doc = valueOf(handle);
    const access = resolveAccess(collectionId, entry.creator, accessEntriesOf(doc), {
      cache: signatureCache,
    });
    resolved.set(collectionId, { heads, access });
    return access;
  };

  const memoryOf = (documentId: string): RejectedMemory => {
    let memory = memories.get(documentId);
    if (!memory) {
      memory = new Map<string, string[]>();
      memories.set(documentId, memory);
    }
    return memory;
  };

  const knownOf = async (documentId: string): Promise<KnownChanges> => {
    const handle = await repo.find(documentId as DocumentId, {
      allowableStates: ['ready', 'unavailable', 'requesting'],
    });
    // A document the relay does not have yet (an anonymous peer creating one): nothing is known.
    return handle.isReady() ? knownChangesOf(handle.doc()) : NOTHING_KNOWN;
  };

  const userOf = (identity: Identity | undefined) =>
    identity?.kind === 'device' ? identity.user : undefined;

  const mayRead = async (identity: Identity | undefined, documentId: string): Promise<boolean> => {
    const personal = registry.personal(documentId);
    if (personal)
      return personal.kind === 'home' ? userOf(identity) === personal.owner : userOf(identity) !== undefined;
    const governed = registry.governing(documentId);
    // Unguarded documents (home, activity and social documents, old collections) are open to
    // devices that know their id; an anonymous peer gets none of them.
    if (!governed) return userOf(identity) !== undefined || isPublic(documentId);
    const access = await accessOf(governed.collectionId);
    return !access || canRead(access, userOf(identity));
  };

  return {
    get refusedChanges() {
      return refusedChanges;
    },
    mayRead,
    async filterSync(identity, documentId, data) {
      const user = userOf(identity);
      const governed = registry.governing(documentId);
      const personal = registry.personal(documentId);
      let known: KnownChanges | undefined; // looked up once, and only when a message is reviewed
      if (personal) {
        if (user === personal.owner) return data;
      } else if (user === undefined) {
        // Anonymous: read only. Its sync messages still carry heads and `have`s, so reading works.
        // Where it may not even read, the Repo answers "unavailable" and applies nothing.
        if (!(await mayRead(identity, documentId))) return data;
      } else if (!governed) {
        return data;
      } else {
        const allowed = mayChange(await accessOf(governed.collectionId), governed.part, user);
        const reviewed =
          governed.part === 'collection' || governed.part === 'body' ? governed.part : undefined;
        if (allowed && !reviewed) return data;
        if (allowed && reviewed) {
          known = await knownOf(documentId);
          const verdict = reviewAuthorship(data, user, known, memoryOf(documentId), reviewed);
          if (verdict === 'ok') return data;
          log.warn(`access: ${user} ${VERDICTS[verdict]}`);
        }
      }
      const memory = memoryOf(documentId);
      const { data: stripped, rejected } = stripChanges(data, known ?? (await knownOf(documentId)), memory);
      if (memory.size > MAX_REMEMBERED) memory.clear(); // worst case: a few more messages, once
      if (rejected > 0) {
        refusedChanges += rejected;
        const what = governed
          ? `${governed.part} of a collection`
          : personal
            ? `someone else's ${personal.kind} document`
            : 'a document';
        log.warn(`access: refused ${rejected} change(s) to ${what} from ${user ?? 'an anonymous peer'}`);
      }
      return stripped ?? data;
    },
  };
}
