// Which documents the relay guards, and under which collection: a collection's access document
// and creator, its body documents and its social document. Registered by authenticated devices when
// they create them ("grant before write": the rules exist before the first write arrives by sync),
// first one wins, kept in <data-dir>/access-registry.json. Also a user's personal documents (home
// and activity stream): only that user's devices write them. Unregistered documents are not guarded
// (collections from before access control, and social documents made before they were registered).

import fs from 'node:fs';
import path from 'node:path';
import type { DocumentId } from '@automerge/automerge-repo';
import type { DidKey } from '../shared/identity/did-key.ts';
import { isDidKey } from '../shared/identity/did-key.ts';
import type { Logger } from '../shared/log.ts';
import type { PersonalKind } from '../shared/personal-docs.ts';
import { isPersonalKind } from '../shared/personal-docs.ts';
import type { GuardedPart } from '../shared/access/change-guard.ts';

export interface CollectionEntry {
  accessId: DocumentId;
  creator: DidKey;
}

export type Governed = { collectionId: DocumentId; part: GuardedPart };

/** Documents that belong to a collection besides its access document. */
export type CollectionPart = 'body' | 'social';

/** A user's own document: only the owner's devices write it; a home is read by them alone too. */
export interface PersonalEntry {
  owner: DidKey;
  kind: PersonalKind;
}

interface Stored {
  collections: Record<string, CollectionEntry>;
  bodies: Record<string, string>;
  /** Social document (comments and likes) id -> collection id. */
  socials: Record<string, string>;
  personal: Record<string, PersonalEntry>;
}

const FILE = 'access-registry.json';

export class AccessRegistry {
  #file: string;
  #stored: Stored;
  #accessOwners = new Map<string, DocumentId>(); // access doc id -> collection id
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, stored: Stored) {
    this.#file = file;
    this.#stored = stored;
    for (const [collectionId, entry] of Object.entries(stored.collections))
      this.#accessOwners.set(entry.accessId, collectionId as DocumentId);
  }

  static async open(dataDir: string, log: Logger): Promise<AccessRegistry> {
    const file = path.join(dataDir, FILE);
    let stored: Stored = { collections: {}, bodies: {}, socials: {}, personal: {} };
    try {
      stored = sanitize(JSON.parse(await fs.promises.readFile(file, 'utf8')));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        log.error(`access registry ${file} is unreadable; starting with an empty one`, error);
    }
    return new AccessRegistry(file, stored);
  }

  collection(collectionId: string): CollectionEntry | undefined {
    return this.#stored.collections[collectionId];
  }

  /** The collection whose rules apply to a document, or undefined for an unguarded one. */
  governing(documentId: string): Governed | undefined {
    if (this.#stored.collections[documentId])
      return { collectionId: documentId as DocumentId, part: 'collection' };
    const ofAccess = this.#accessOwners.get(documentId);
    if (ofAccess) return { collectionId: ofAccess, part: 'access' };
    const ofBody = this.#stored.bodies[documentId];
    if (ofBody) return { collectionId: ofBody as DocumentId, part: 'body' };
    const ofSocial = this.#stored.socials[documentId];
    if (ofSocial) return { collectionId: ofSocial as DocumentId, part: 'social' };
    return undefined;
  }

  /** The owner of a personal document, or undefined. */
  personal(documentId: string): PersonalEntry | undefined {
    return this.#stored.personal[documentId];
  }

  /** First registration wins; registering the same again is fine. */
  async registerPersonal(documentId: DocumentId, entry: PersonalEntry): Promise<'registered' | 'conflict'> {
    const existing = this.#stored.personal[documentId];
    if (existing)
      return existing.owner === entry.owner && existing.kind === entry.kind ? 'registered' : 'conflict';
    if (this.governing(documentId)) return 'conflict';
    this.#stored.personal[documentId] = entry;
    await this.#save();
    return 'registered';
  }

  /** First registration wins; registering the same again is fine. */
  async registerCollection(
    collectionId: DocumentId,
    entry: CollectionEntry,
  ): Promise<'registered' | 'conflict'> {
    const existing = this.#stored.collections[collectionId];
    if (existing)
      return existing.accessId === entry.accessId && existing.creator === entry.creator
        ? 'registered'
        : 'conflict';
    if (
      this.governing(collectionId) ||
      this.governing(entry.accessId) ||
      this.personal(collectionId) ||
      this.personal(entry.accessId)
    )
      return 'conflict';
    this.#stored.collections[collectionId] = entry;
    this.#accessOwners.set(entry.accessId, collectionId);
    await this.#save();
    return 'registered';
  }

  async registerPart(
    part: CollectionPart,
    documentId: DocumentId,
    collectionId: DocumentId,
  ): Promise<'registered' | 'conflict'> {
    const table = part === 'body' ? this.#stored.bodies : this.#stored.socials;
    const existing = table[documentId];
    if (existing) return existing === collectionId ? 'registered' : 'conflict';
    if (this.governing(documentId) || this.personal(documentId)) return 'conflict';
    table[documentId] = collectionId;
    await this.#save();
    return 'registered';
  }

  /** Written whole to a temp file, then renamed: a crash never leaves half a registry. */
  #save(): Promise<void> {
    const write = this.#writing.then(async () => {
      const tmp = `${this.#file}.${process.pid}.tmp`;
      await fs.promises.writeFile(tmp, JSON.stringify(this.#stored));
      await fs.promises.rename(tmp, this.#file);
    });
    this.#writing = write.catch(() => undefined);
    return write;
  }
}

function sanitize(raw: unknown): Stored {
  const out: Stored = { collections: {}, bodies: {}, socials: {}, personal: {} };
  if (!raw || typeof raw !== 'object') return out;
  const { collections, bodies, socials, personal } = raw as Record<string, unknown>;
  for (const [id, entry] of Object.entries(personal && typeof personal === 'object' ? personal : {})) {
    const { owner, kind } = (entry ?? {}) as Record<string, unknown>;
    if (isDidKey(owner) && isPersonalKind(kind)) out.personal[id] = { owner, kind };
  }
  for (const [id, entry] of Object.entries(
    collections && typeof collections === 'object' ? collections : {},
  )) {
    const { accessId, creator } = (entry ?? {}) as Record<string, unknown>;
    if (typeof accessId === 'string' && isDidKey(creator))
      out.collections[id] = { accessId: accessId as DocumentId, creator };
  }
  for (const [id, collectionId] of Object.entries(bodies && typeof bodies === 'object' ? bodies : {}))
    if (typeof collectionId === 'string') out.bodies[id] = collectionId;
  for (const [id, collectionId] of Object.entries(socials && typeof socials === 'object' ? socials : {}))
    if (typeof collectionId === 'string') out.socials[id] = collectionId;
  return out;
}
