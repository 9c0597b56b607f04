// Hash routes: the fragment never reaches a server, so a collection link carries its document id
// there: #/c/<documentId> and #/c/<documentId>/i/<itemId>.

import { createSignal } from 'solid-js';
import { isPairingSecret } from '../shared/identity/pairing.ts';
import type { CollectionId, ItemId } from '../shared/types.ts';
import { MALFORMED_COLLECTION_LINK } from '../shared/types.ts';

export type Route =
  | { page: 'home' }
  | { page: 'discover' }
  | { page: 'feed' }
  | { page: 'collection'; collectionId: CollectionId; itemId: ItemId | null }
  | { page: 'pair'; secret: string | null }
  | { page: 'invalid'; reason: string };

const DOCUMENT_ID = /^[1-9A-HJ-NP-Za-km-z]{20,64}$/;
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return { page: 'home' };
  if (path === '/discover') return { page: 'discover' };
  if (path === '/feed') return { page: 'feed' };
  // A pairing link: #/pair/<one-time code>. The page takes the code and clears it from the address.
  const pair = /^\/pair(?:\/([^/]*))?\/?$/.exec(path);
  if (pair) return { page: 'pair', secret: isPairingSecret(pair[1]) ? pair[1] : null };
  const match = /^\/c\/([^/]+)(?:\/i\/([^/]+))?\/?$/.exec(path);
  if (!match?.[1]) return { page: 'invalid', reason: 'This link is not a Pinax collection link.' };
  const collectionId = safeDecode(match[1]);
  if (!collectionId || !DOCUMENT_ID.test(collectionId))
    return { page: 'invalid', reason: MALFORMED_COLLECTION_LINK };
  const itemId = match[2] ? safeDecode(match[2]) : null;
  if (match[2] && (!itemId || !ITEM_ID.test(itemId)))
    return { page: 'invalid', reason: 'This item link is malformed.' };
  return { page: 'collection', collectionId: collectionId as CollectionId, itemId: itemId as ItemId | null };
}

export function collectionHref(collectionId: string, itemId?: string | null): string {
  return itemId ? `#/c/${collectionId}/i/${itemId}` : `#/c/${collectionId}`;
}

export function createRoute(): () => Route {
  const [route, setRoute] = createSignal(parseRoute(location.hash));
  addEventListener('hashchange', () => setRoute(parseRoute(location.hash)));
  return route;
}

export function navigate(href: string): void {
  if (location.hash !== href) location.hash = href;
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}
