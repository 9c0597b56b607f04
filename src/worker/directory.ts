// The relay's discovery directory, seen from the engine: where it is (GET /directory, remembered
// for offline use), its entries as a live list, and publishing or unpublishing a collection. The
// directory document is written by anyone who can reach the relay, so every entry is validated on
// the way out and junk is skipped.

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { ImmutableString, isValidAutomergeUrl, isValidDocumentId } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import type { DirectoryEntry, DirectoryState } from '../shared/queries.ts';
import type { CollectionId } from '../shared/types.ts';
import type { CollectionStore } from './collection-store.ts';
import type { PinaxDb } from './db.ts';
import { readString } from './domain/collection-doc.ts';
import type { ReadModels } from './read-models/read-models.ts';

export interface DirectoryDoc {
  kind: 'pinax.directory';
  entries: Record<string, StoredEntry>;
}

interface StoredEntry {
  name: ImmutableString;
  description: ImmutableString;
  tags: ImmutableString[];
  itemCount: number;
  publishedAt: number;
}

const META_KEY = 'directoryUrl';
const MAX_TAGS = 12;

export class Directory {
  #repo: Promise<Repo>;
  #db: PinaxDb;
  #locate: () => Promise<string | undefined>;
  #handle: Promise<DocHandle<DirectoryDoc> | undefined> | undefined;

  /** `locate` asks the relay where its directory is (undefined when it cannot be reached). */
  constructor(repo: Promise<Repo>, db: PinaxDb, locate: () => Promise<string | undefined>) {
    this.#repo = repo;
    this.#db = db;
    this.#locate = locate;
  }

  /** The live directory; pushes at once (unavailable until found) and on every change. */
  subscribe(push: (state: DirectoryState) => void): () => void {
    let active = true;
    let off: (() => void) | undefined;
    push({ available: false, entries: [] });
    void this.#open().then((handle) => {
      if (!active || !handle) return;
      const send = () => push({ available: true, entries: entriesOf(handle.doc()) });
      handle.on('change', send);
      off = () => handle.off('change', send);
      send();
    });
    return () => {
      active = false;
      off?.();
    };
  }

  /** Returns the directory's document id (to flush), or undefined when it cannot be reached. */
  async publish(
    collections: CollectionStore,
    readModels: ReadModels,
    collectionId: CollectionId,
  ): Promise<string | undefined> {
    const [handle, summary] = await Promise.all([this.#open(), collections.summary(collectionId)]);
    if (!handle || !summary) return undefined;
    const tags = readModels.index
      .tagFacets(collectionId)
      .slice(0, MAX_TAGS)
      .map((facet) => new ImmutableString(facet.tag));
    handle.change((doc) => {
      doc.entries ??= {};
      doc.entries[collectionId] = {
        name: new ImmutableString(summary.name),
        description: new ImmutableString(summary.description),
        tags,
        itemCount: summary.itemCount,
        publishedAt: Date.now(),
      };
    });
    return handle.documentId;
  }

  /** Returns the directory's document id (to flush), or undefined when it cannot be reached. */
  async unpublish(collectionId: CollectionId): Promise<string | undefined> {
    const handle = await this.#open();
    if (!handle) return undefined;
    handle.change((doc) => {
      if (doc.entries?.[collectionId]) delete doc.entries[collectionId];
    });
    return handle.documentId;
  }

  #open(): Promise<DocHandle<DirectoryDoc> | undefined> {
    this.#handle ??= this.#find().then((handle) => {
      if (!handle) this.#handle = undefined; // try again on the next request
      return handle;
    });
    return this.#handle;
  }

  async #find(): Promise<DocHandle<DirectoryDoc> | undefined> {
    const located = await this.#locate();
    const remembered = await this.#db.meta.get(META_KEY).catch(() => undefined);
    const url = located ?? (typeof remembered?.value === 'string' ? remembered.value : undefined);
    if (!url || !isValidAutomergeUrl(url)) return undefined;
    if (located && located !== remembered?.value) await this.#db.meta.put({ key: META_KEY, value: located });
    try {
      const repo = await this.#repo;
      return await repo.find<DirectoryDoc>(url);
    } catch (error) {
      log.info('directory not reachable', error);
      return undefined;
    }
  }
}

/** Where the relay's directory is, from its `/directory` endpoint next to `/sync`. */
export function directoryLocator(relaySyncUrl: string): () => Promise<string | undefined> {
  const url = new URL(relaySyncUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = url.pathname.replace(/\/sync$/, '/directory');
  return async () => {
    try {
      const response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(5_000) });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { url?: unknown };
      return typeof body.url === 'string' && isValidAutomergeUrl(body.url) ? body.url : undefined;
    } catch {
      return undefined;
    }
  };
}

/** The valid entries of a directory document of any shape, newest first (exported for tests). */
export function entriesOf(doc: DirectoryDoc | undefined): DirectoryEntry[] {
  const entries = doc?.entries && typeof doc.entries === 'object' ? doc.entries : {};
  const out: DirectoryEntry[] = [];
  for (const [id, entry] of Object.entries(entries)) {
    if (!isValidDocumentId(id) || !entry || typeof entry !== 'object') continue;
    const name = readString(entry.name).slice(0, 200);
    if (!name) continue;
    out.push({
      collectionId: id as string as CollectionId,
      name,
      description: readString(entry.description).slice(0, 1_000),
      tags: Array.isArray(entry.tags) ? entry.tags.map(readString).filter(Boolean).slice(0, MAX_TAGS) : [],
      itemCount:
        typeof entry.itemCount === 'number' && entry.itemCount >= 0 ? Math.floor(entry.itemCount) : 0,
      publishedAt: typeof entry.publishedAt === 'number' ? entry.publishedAt : 0,
    });
  }
  return out.sort((a, b) => b.publishedAt - a.publishedAt);
}

const log = makeLogger('pinax:directory');
