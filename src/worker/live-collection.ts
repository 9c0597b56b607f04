// One open collection: its DocHandle plus the incrementally maintained read model (item rows keyed
// by id). Every change, whatever its source, goes through the materializer and out to subscribers as
// a small patch, so a tab never receives the whole 10k-item list again after the first render.

import type { DocHandle, DocHandleChangePayload } from '@automerge/automerge-repo/slim';
import type { CollectionId, CollectionSummary, ItemId, ItemSummary } from '../shared/types.ts';
import { isDetached } from './bulk-write.ts';
import type { CollectionDoc } from './domain/collection-doc.ts';
import { findItem } from './domain/collection-doc.ts';
import {
  latestItemUpdate,
  materializeItems,
  summarizeCollection,
  summarizeItem,
  touchedItems,
} from './domain/materialize.ts';

export interface CollectionPatch {
  collection: CollectionSummary;
  upserts: ItemSummary[];
  removed: ItemId[];
}

export type PatchListener = (patch: CollectionPatch) => void;

export class LiveCollection {
  readonly id: CollectionId;
  readonly handle: DocHandle<CollectionDoc>;
  #items: Map<ItemId, ItemSummary>;
  #summary: CollectionSummary;
  /** The latest updatedAt of any item this collection has held (summarizeCollection). */
  #latestItemUpdate: number;
  #listeners = new Set<PatchListener>();
  #disposeHandle: () => void;
  #disposed = false;

  constructor(id: CollectionId, handle: DocHandle<CollectionDoc>) {
    this.id = id;
    this.handle = handle;
    const doc = handle.doc();
    this.#items = materializeItems(doc);
    this.#latestItemUpdate = latestItemUpdate(doc);
    this.#summary = summarizeCollection(id, doc, this.#items.size, this.#latestItemUpdate);
    // Derived just after the change, in a microtask: the command that made it (and whatever else
    // changes the document in the same task) is done before any row is computed or sent. One
    // microtask later than the read models' rows, which are what other tabs' lists wait for: this
    // feeds item editors (the writing tab's first) and the sidebar row, which can wait that long.
    const onChange = (payload: DocHandleChangePayload<CollectionDoc>) =>
      queueMicrotask(() =>
        queueMicrotask(() => {
          // A bulk write under way names what it wrote once it is done (bulk-write.ts).
          if (!this.#disposed && !isDetached(payload.doc)) this.#applyChange(payload);
        }),
      );
    handle.on('change', onChange);
    this.#disposeHandle = () => handle.off('change', onChange);
  }

  get summary(): CollectionSummary {
    return this.#summary;
  }

  get items(): ItemSummary[] {
    return [...this.#items.values()];
  }

  get deleted(): boolean {
    return this.handle.doc().deletedAt !== undefined;
  }

  hasItem(itemId: ItemId): boolean {
    return findItem(this.handle.doc(), itemId) !== undefined;
  }

  /** Subscribes to read-model patches; returns the unsubscribe. */
  subscribe(listener: PatchListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    this.#disposed = true;
    this.#disposeHandle();
    this.#listeners.clear();
  }

  #applyChange({ doc, patches }: DocHandleChangePayload<CollectionDoc>): void {
    const touched = touchedItems(patches);
    const upserts: ItemSummary[] = [];
    const removed: ItemId[] = [];
    if (touched.all) {
      const next = materializeItems(doc);
      for (const id of this.#items.keys()) if (!next.has(id)) removed.push(id);
      upserts.push(...next.values());
      this.#items = next;
    } else {
      for (const id of touched.ids) {
        const row = summarizeItem(id, findItem(doc, id));
        if (row) {
          this.#items.set(id, row);
          upserts.push(row);
        } else if (this.#items.delete(id)) {
          removed.push(id);
        }
      }
    }
    this.#latestItemUpdate = touched.all
      ? latestItemUpdate(doc)
      : Math.max(this.#latestItemUpdate, latestItemUpdate(doc, touched.ids));
    this.#summary = summarizeCollection(this.id, doc, this.#items.size, this.#latestItemUpdate);
    const patch = { collection: this.#summary, upserts, removed };
    for (const listener of this.#listeners) listener(patch);
  }
}
