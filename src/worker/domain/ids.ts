// Item ids: 96 random bits, base64url. Random rather than sequential so devices never collide.

import type { ItemId } from '../../shared/types.ts';

export function newItemId(): ItemId {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_') as ItemId;
}
