// Large writes to a collection document (an import) without keeping its JS value current batch by
// batch. After every change Automerge brings the document's JS value up to date from patches, and
// for new items that costs about five times what building the same values from scratch does
// (Node, 10k items in 10 changes: 2.8-3.5 s of patches against ~0.6 s to build the whole value).
// So a bulk write detaches the value (a Pinax patch to Automerge, patches/README.md), makes its
// changes against the backend alone, and builds the value once at the end.
//
// While detached the document's root is a stale view: its top-level fields as they were, nested
// items included, so readers see the collection as it was before the write. Its change events say
// nothing about what changed (no patches), and listeners of collection changes skip them (see
// isDetached). When the value is whole again, one change event names every item written; or, when
// anything else changed the document meanwhile (another tab, the relay), none, which listeners
// take as "re-read everything".

import { Automerge, type DocHandle, type DocHandleChangePayload } from '@automerge/automerge-repo/slim';
import type { CollectionDoc } from './domain/collection-doc.ts';
import { bucketOf } from './domain/collection-doc.ts';

/** Makes the changes of a bulk write. */
export interface BulkWriter {
  /** One change (one batch, durable as a whole), writing the items `itemIds`. */
  change(itemIds: readonly string[], write: (doc: CollectionDoc) => void, options?: ChangeOptions): void;
}

export type ChangeOptions = Parameters<DocHandle<CollectionDoc>['change']>[1];

/**
 * Whether writing `itemsToWrite` new items pays for building the whole value of a document that
 * will then hold `itemsAfter`: patches cost ~0.3 ms per item written, building ~0.06 ms per item
 * held (Node), so detaching wins once the write is more than a fifth of the result; a quarter keeps
 * a margin. Small writes never detach: a few patches cost less than any rebuild.
 */
export function worthDetaching(itemsToWrite: number, itemsAfter: number): boolean {
  return itemsToWrite >= MIN_DETACHED_ITEMS && itemsToWrite * 4 >= itemsAfter;
}

/** Whether a collection document (as a change event carries it) is detached for a bulk write. */
export function isDetached(doc: CollectionDoc): boolean {
  return Automerge.isUnmaterialized(doc);
}

/** A writer that changes the document as usual, every change patching its JS value. */
export function directWriter(handle: DocHandle<CollectionDoc>): BulkWriter {
  return { change: (_itemIds, write, options) => handle.change(write, options) };
}

/**
 * Runs `write` with the document's JS value detached, then attaches it and announces what was
 * written in one change event, even when `write` fails or is cancelled part way.
 */
export async function withDetachedValue(
  handle: DocHandle<CollectionDoc>,
  write: (writer: BulkWriter) => Promise<void>,
): Promise<void> {
  const before = handle.doc();
  const written = new Set<string>();
  let ours = false;
  let othersChanged = false;
  // DocHandle announces a change synchronously, inside handle.change: any other is someone else's.
  const onHeadsChanged = () => {
    if (!ours) othersChanged = true;
  };
  handle.on('heads-changed', onHeadsChanged);
  handle.update((doc) => Automerge.detach(doc));
  const writer: BulkWriter = {
    change(itemIds, change, options) {
      ours = true;
      try {
        handle.change(change, options);
      } finally {
        ours = false;
      }
      for (const id of itemIds) written.add(id);
    },
  };
  try {
    await write(writer);
  } finally {
    handle.off('heads-changed', onHeadsChanged);
    handle.update((doc) => Automerge.attach(doc));
    const after = handle.doc();
    const payload: DocHandleChangePayload<CollectionDoc> = {
      handle,
      doc: after,
      patches: othersChanged ? [] : itemPatches(written),
      patchInfo: { before, after, source: 'change' },
    };
    handle.emit('change', payload);
  }
}

/** Below this many items a write is made the usual way. */
const MIN_DETACHED_ITEMS = 500;

/** A patch per item, as Automerge would report an item put into its bucket. */
function itemPatches(itemIds: ReadonlySet<string>): Automerge.Patch[] {
  return [...itemIds].map((id) => ({ action: 'put', path: ['buckets', bucketOf(id), id], value: {} }));
}
