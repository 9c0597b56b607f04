// Body documents: one per item, created on the item's first body edit, holding the body as
// collaborative text so concurrent edits merge by character. The collection keeps an ImmutableString
// snapshot for listing and search; this module copies the text into it, debounced, whenever a body
// document we hold changes from any source.
//
// Creation is deterministic: the document id is derived from (collection, item), and its first
// change (fixed actor, time 0, the current snapshot as text) is byte-identical on every device that
// starts from the same snapshot. Two devices that start editing the same body offline therefore
// create the *same* document and their edits merge, instead of two documents fighting over one field.

import type { AutomergeUrl, DocHandle, DocumentId, Repo } from '@automerge/automerge-repo/slim';
import { Automerge, parseAutomergeUrl, stringifyAutomergeUrl } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import { authored } from '../shared/access/authored.ts';
import type { CollectionId, ItemId } from '../shared/types.ts';

export const BODY_KIND = 'pinax.body';
export const SNAPSHOT_DEBOUNCE_MS = 800;

export interface BodyDoc {
  kind: typeof BODY_KIND;
  text: string;
}

export type SnapshotWriter = (collectionId: CollectionId, itemId: ItemId, text: string) => void;

export class BodyDocs {
  #repo: Repo;
  #writeSnapshot: SnapshotWriter;
  #watched = new Map<DocumentId, { handle: DocHandle<BodyDoc>; dispose: () => void }>();
  #timers = new Map<DocumentId, ReturnType<typeof setTimeout>>();
  /** The collection of every body document opened here, known before its first message arrives. */
  #collections = new Map<DocumentId, CollectionId>();

  constructor(repo: Repo, writeSnapshot: SnapshotWriter) {
    this.#repo = repo;
    this.#writeSnapshot = writeSnapshot;
  }

  /** Creates (or re-creates identically) the body document for an item, seeded with its snapshot. */
  async create(collectionId: CollectionId, itemId: ItemId, snapshot: string): Promise<DocHandle<BodyDoc>> {
    const documentId = await bodyDocumentId(collectionId, itemId);
    this.#collections.set(documentId, collectionId);
    const cached = this.#repo.handles[documentId] as DocHandle<BodyDoc> | undefined;
    if (cached?.isReady()) return this.#watch(collectionId, itemId, cached);
    const handle = this.#repo.import<BodyDoc>(await seedChange(documentId, snapshot), { docId: documentId });
    await handle.whenReady();
    return this.#watch(collectionId, itemId, handle);
  }

  /** Finds an existing body document (locally or from peers); undefined when unavailable. */
  async find(
    collectionId: CollectionId,
    itemId: ItemId,
    url: string,
  ): Promise<DocHandle<BodyDoc> | undefined> {
    try {
      this.#collections.set(parseAutomergeUrl(url as AutomergeUrl).documentId, collectionId);
      const handle = await this.#repo.find<BodyDoc>(url as AutomergeUrl);
      return this.#watch(collectionId, itemId, handle);
    } catch (error) {
      log.warn('body document unavailable', url, error);
      return undefined;
    }
  }

  /** The collection a body document opened here belongs to. */
  collectionOf(documentId: string): CollectionId | undefined {
    return this.#collections.get(documentId as DocumentId);
  }

  dispose(): void {
    for (const { dispose } of this.#watched.values()) dispose();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#watched.clear();
    this.#timers.clear();
  }

  #watch(collectionId: CollectionId, itemId: ItemId, handle: DocHandle<BodyDoc>): DocHandle<BodyDoc> {
    if (this.#watched.has(handle.documentId)) return handle;
    const onChange = () => this.#scheduleSnapshot(collectionId, itemId, handle);
    handle.on('change', onChange);
    this.#watched.set(handle.documentId, { handle, dispose: () => handle.off('change', onChange) });
    this.#scheduleSnapshot(collectionId, itemId, handle);
    return handle;
  }

  #scheduleSnapshot(collectionId: CollectionId, itemId: ItemId, handle: DocHandle<BodyDoc>): void {
    clearTimeout(this.#timers.get(handle.documentId));
    const timer = setTimeout(() => {
      this.#timers.delete(handle.documentId);
      const text = handle.doc()?.text;
      if (typeof text === 'string') this.#writeSnapshot(collectionId, itemId, text);
    }, SNAPSHOT_DEBOUNCE_MS);
    this.#timers.set(handle.documentId, timer);
  }
}

export function bodyText(handle: DocHandle<BodyDoc> | undefined): string | undefined {
  const text = handle?.doc()?.text;
  return typeof text === 'string' ? text : undefined;
}

/** Applies a new full body as a character-level diff, so concurrent edits elsewhere merge. */
export function setBodyText(handle: DocHandle<BodyDoc>, text: string, author: string): void {
  handle.change((doc) => {
    if (typeof doc.text !== 'string') doc.text = '';
    Automerge.updateText(doc, ['text'], text);
  }, authored(author));
}

const log = makeLogger('pinax:bodies');

async function bodyDocumentId(collectionId: CollectionId, itemId: ItemId): Promise<DocumentId> {
  const digest = await sha256(`pinax-body\u0000${collectionId}\u0000${itemId}`);
  const url = stringifyAutomergeUrl({ documentId: digest.slice(0, 16) as never });
  return parseAutomergeUrl(url).documentId;
}

async function seedChange(documentId: DocumentId, snapshot: string): Promise<Uint8Array> {
  // The actor depends on the snapshot too: two devices seeding from different snapshots must not
  // produce two different changes with the same actor and sequence number.
  const actor = toHex((await sha256(`${documentId}\u0000${snapshot}`)).slice(0, 16));
  const empty = Automerge.init<BodyDoc>({ actor });
  const seeded = Automerge.change(empty, { time: 0 }, (doc) => {
    doc.kind = BODY_KIND;
    doc.text = snapshot;
  });
  return Automerge.save(seeded);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
