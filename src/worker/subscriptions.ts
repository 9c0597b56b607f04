// Live query subscriptions over the read models. Each returns its unsubscribe, and each pushes a
// first value at once (a loading state at worst) so a tab never shows a spinner for local data.

import type { DocHandle } from '@automerge/automerge-repo/slim';
import type { CollectionUpdate, SubscriptionPayloads } from '../shared/protocol.ts';
import type { CollectionId, ItemId } from '../shared/types.ts';
import type { BodyDoc, BodyDocs } from './bodies.ts';
import { bodyText } from './bodies.ts';
import type { CollectionStore } from './collection-store.ts';
import { findItem, readString } from './domain/collection-doc.ts';
import { detailOf } from './domain/materialize.ts';

export function subscribeCollection(
  collections: CollectionStore,
  id: CollectionId,
  push: (update: CollectionUpdate) => void,
): () => void {
  let active = true;
  let unsubscribe: (() => void) | undefined;
  const attach = async () => {
    const state = await collections.currentState(id);
    if (!active || unsubscribe) return;
    push({ kind: 'state', state });
    const live = state.status === 'ready' ? await collections.get(id) : undefined;
    if (!active || !live || unsubscribe) return;
    unsubscribe = live.subscribe(({ collection, upserts, removed }) => {
      push({ kind: 'patch', collection, upserts, removed });
    });
  };
  push({ kind: 'state', state: { status: 'loading', id } });
  void attach();
  // A collection that was unavailable (say, opened before the relay answered) may arrive later.
  const offLoaded = collections.onLoaded((loadedId) => {
    if (loadedId === id) void attach();
  });
  return () => {
    active = false;
    offLoaded();
    unsubscribe?.();
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
