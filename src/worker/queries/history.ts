// History queries for tabs: an item's versions (collection and body document changes), the item as
// it was at a version, what restoring a version must write, and the collection's timeline. One
// HistoryIndex per collection keeps what it decoded, so asking again costs only the new changes.

import type { ItemVersionInfo, ItemVersionState, TimelineEntryInfo } from '../../shared/queries.ts';
import type { CollectionId, ItemId } from '../../shared/types.ts';
import type { BodyDocs } from '../bodies.ts';
import type { CollectionStore } from '../collection-store.ts';
import { findItem, readString } from '../domain/collection-doc.ts';
import { HistoryIndex, type RestorePlan } from '../history/item-history.ts';
import type { LiveCollection } from '../live-collection.ts';

export class HistoryQueries {
  #collections: CollectionStore;
  #bodies: Promise<BodyDocs>;
  #indexes = new Map<CollectionId, HistoryIndex>();

  constructor(collections: CollectionStore, bodies: Promise<BodyDocs>) {
    this.#collections = collections;
    this.#bodies = bodies;
  }

  async itemHistory(collectionId: CollectionId, itemId: ItemId): Promise<ItemVersionInfo[] | undefined> {
    const opened = await this.#open(collectionId, itemId);
    if (!opened) return undefined;
    return opened.index.itemHistory(opened.doc, itemId, opened.body);
  }

  async itemVersion(
    collectionId: CollectionId,
    itemId: ItemId,
    versionId: string,
  ): Promise<ItemVersionState | undefined> {
    const opened = await this.#open(collectionId, itemId);
    return opened?.index.itemAtVersion(opened.doc, itemId, opened.body, versionId);
  }

  async restorePlan(
    collectionId: CollectionId,
    itemId: ItemId,
    versionId: string,
  ): Promise<RestorePlan | undefined> {
    const opened = await this.#open(collectionId, itemId);
    return opened?.index.restorePlan(opened.doc, itemId, opened.body, versionId);
  }

  async timeline(collectionId: CollectionId, limit: number): Promise<TimelineEntryInfo[] | undefined> {
    const live = await this.#collections.get(collectionId);
    if (!live) return undefined;
    return this.#indexOf(live)
      .timeline(live.handle.doc(), { limit })
      .map((entry) => ({
        id: entry.hash,
        time: entry.time,
        actor: entry.actor,
        ...(entry.author ? { author: entry.author } : {}),
        summary: entry.summary,
        items: entry.items.map((item) => ({ ...item, itemId: item.itemId as ItemId })),
      }));
  }

  async #open(collectionId: CollectionId, itemId: ItemId) {
    const live = await this.#collections.get(collectionId);
    if (!live) return undefined;
    const doc = live.handle.doc();
    const url = readString(findItem(doc, itemId)?.bodyDoc);
    const bodyHandle = url ? await (await this.#bodies).find(collectionId, itemId, url) : undefined;
    return { index: this.#indexOf(live), doc, body: bodyHandle?.doc() };
  }

  #indexOf(live: LiveCollection): HistoryIndex {
    let index = this.#indexes.get(live.id);
    if (!index) {
      index = new HistoryIndex();
      this.#indexes.set(live.id, index);
    }
    return index;
  }
}
