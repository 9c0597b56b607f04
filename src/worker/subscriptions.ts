// Live query subscriptions over the read models. Each returns its unsubscribe, and each pushes a
// first value at once (a loading state at worst) so a tab never shows a spinner for local data.

import type { DocHandle } from '@automerge/automerge-repo/slim';
import type { CollectionUpdate, SubscriptionPayloads } from '../shared/protocol.ts';
import { makeLogger } from '../shared/log.ts';
import type { CollectionId, CollectionSummary, ItemId, ItemSummary } from '../shared/types.ts';
import type { BodyDoc, BodyDocs } from './bodies.ts';
import { bodyText } from './bodies.ts';
import type { CollectionStore } from './collection-store.ts';
import type { CatalogRow } from './db.ts';
import type { ReadModels } from './read-models/read-models.ts';
import { findItem, readString } from './domain/collection-doc.ts';
import { detailOf } from './domain/materialize.ts';
import { holdRowsWhile } from './held-rows.ts';

/**
 * A collection's item list. Served from the persisted catalog when it has one, so a collection opens
 * without waiting for Automerge to load its document; otherwise (its first load on this device)
 * from the live document. Either way, later changes arrive as small patches.
 */
export function subscribeCollection(
  collections: CollectionStore,
  readModels: ReadModels,
  id: CollectionId,
  push: (update: CollectionUpdate) => void,
): () => void {
  let active = true;
  let unsubscribe: (() => void) | undefined;
  // `arriving`: the collection has no catalog on this device yet (its first load).
  const attachLive = async (arriving: boolean) => {
    const state = await collections.currentState(id);
    if (!active || unsubscribe) return;
    push({ kind: 'state', state: state.status === 'ready' && arriving ? { ...state, arriving } : state });
    const live = state.status === 'ready' ? await collections.get(id) : undefined;
    if (!active || !live || unsubscribe) return;
    unsubscribe = live.subscribe(({ collection, upserts, removed }) => {
      push({ kind: 'patch', collection, upserts, removed });
    });
  };
  const attach = async () => {
    const [rows, summary] = await Promise.all([readModels.collectionRows(id), collections.summary(id)]);
    if (!active || unsubscribe) return;
    if (!rows || !summary) return attachLive(!rows);
    unsubscribe = serveFromCatalog(collections, readModels, id, rows, summary, push);
  };
  push({ kind: 'state', state: { status: 'loading', id } });
  // A collection arriving for the first time: its download progress, until it is ready.
  const offProgress = collections.onProgress((progressId, received) => {
    if (progressId === id && active && !unsubscribe)
      push({ kind: 'state', state: { status: 'loading', id, received } });
  });
  void attach().catch((error: unknown) => log.error('collection subscription failed', error));
  // A collection that was unavailable (say, opened before the relay answered) may arrive later;
  // whether a retry loaded it or not, show its state now.
  const offRetried = collections.onRetried((retriedId) => {
    if (retriedId === id) void attachLive(true);
  });
  return () => {
    active = false;
    offRetried();
    offProgress();
    unsubscribe?.();
  };
}

/** The catalog path: rows as persisted, then every derived row as a patch. Returns the unsubscribe. */
function serveFromCatalog(
  collections: CollectionStore,
  readModels: ReadModels,
  id: CollectionId,
  rows: readonly CatalogRow[],
  initial: CollectionSummary,
  push: (update: CollectionUpdate) => void,
): () => void {
  const live = new Map<string, ItemSummary>();
  for (const row of rows) if (!row.deleted) live.set(row.itemId, itemSummaryOf(row));
  let summary: CollectionSummary = { ...initial, itemCount: live.size };
  push({ kind: 'state', state: { status: 'ready', collection: summary, items: [...live.values()] } });
  const pushRows = (derived: readonly CatalogRow[]) => {
    const upserts: ItemSummary[] = [];
    const removed: ItemId[] = [];
    for (const row of derived) {
      if (row.deleted) {
        if (live.delete(row.itemId)) removed.push(row.itemId as ItemId);
      } else {
        const item = itemSummaryOf(row);
        live.set(row.itemId, item);
        upserts.push(item);
      }
    }
    summary = { ...summary, itemCount: live.size };
    push({ kind: 'patch', collection: summary, upserts, removed });
  };
  const rowsOut = holdRowsWhile(() => readModels.isRebuilding(id), pushRows, REBUILD_PUSH_MS);
  const offRows = readModels.subscribeRows(id, rowsOut.add);
  // Name, description and times come from the sidebar row (kept by the collection store).
  const offList = collections.subscribeList((list) => {
    const row = list.find((c) => c.id === id);
    if (!row || (row.name === summary.name && row.description === summary.description)) return;
    summary = { ...row, itemCount: live.size };
    push({ kind: 'patch', collection: summary, upserts: [], removed: [] });
  });
  return () => {
    offRows();
    offList();
    rowsOut.dispose();
  };
}

/** How often a collection being derived in slices sends its new rows to the tab (held-rows.ts). */
const REBUILD_PUSH_MS = 100;

function itemSummaryOf(row: CatalogRow): ItemSummary {
  return {
    id: row.itemId as ItemId,
    title: row.title,
    titleConflicts: row.titleConflicts,
    tags: row.tags,
    snippet: row.snippet,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function subscribeItem(
  collections: CollectionStore,
  bodies: Promise<BodyDocs>,
  collectionId: CollectionId,
  itemId: ItemId,
  push: (payload: SubscriptionPayloads['item']) => void,
): () => void {
  let active = true;
  const cleanups: Array<() => void> = [];
  let bodyHandle: DocHandle<BodyDoc> | undefined;
  let lastBodyUrl = '';

  void (async () => {
    const live = await collections.get(collectionId);
    if (!active) return;
    if (!live) return push({ status: 'missing' });

    const render = () => {
      const record = findItem(live.handle.doc(), itemId);
      const detail = detailOf(itemId, record, bodyText(bodyHandle));
      push(detail ? { status: 'ready', item: detail } : { status: 'missing' });
      const url = readString(record?.bodyDoc);
      if (url && url !== lastBodyUrl) {
        lastBodyUrl = url;
        void attachBody(url);
      }
    };

    const attachBody = async (url: string) => {
      const handle = await (await bodies).find(collectionId, itemId, url);
      if (!active || !handle) return;
      bodyHandle = handle;
      const onBody = () => render();
      handle.on('change', onBody);
      cleanups.push(() => handle.off('change', onBody));
      render();
    };

    cleanups.push(
      live.subscribe(({ upserts, removed }) => {
        if (upserts.some((row) => row.id === itemId) || removed.includes(itemId)) render();
      }),
    );
    render();
  })();

  return () => {
    active = false;
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
}

const log = makeLogger('pinax:subscriptions');
