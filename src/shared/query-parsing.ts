// Validators of the query commands and subscriptions declared in queries.ts (protocol.ts checks the
// rest of what a tab sends). The engine acts on nothing that did not pass them; a malformed request
// gets a reason, not a throw.

import type { CollectionId, ItemId } from './types.ts';
import { ROLES, type Role } from './access/entries.ts';
import { isDidKey } from './identity/did-key.ts';
import { isPairingSecret } from './identity/pairing.ts';
import { MAX_COMMENT_CHARS } from './social/reactions.ts';
import {
  MAX_DISPLAY_NAME_CHARS,
  MAX_IMPORT_FILES,
  MAX_SEARCH_LIMIT,
  MAX_SEARCH_QUERY_CHARS,
  type ImportFileData,
  type QueryCommand,
  type QuerySubscription,
} from './queries.ts';

/** Validates the query commands; undefined when `raw.type` is not one of them. */
export function parseQueryCommand(raw: Record<string, unknown>): QueryCommand | string | undefined {
  const collectionId = raw['collectionId'];
  const itemId = raw['itemId'];
  const ids = isShortString(collectionId) && isShortString(itemId);
  switch (raw['type']) {
    case 'itemHistory':
      return ids
        ? { type: 'itemHistory', collectionId: collectionId as CollectionId, itemId: itemId as ItemId }
        : 'itemHistory needs collectionId and itemId';
    case 'itemVersion':
    case 'restoreVersion':
      return ids && isShortString(raw['versionId'])
        ? {
            type: raw['type'],
            collectionId: collectionId as CollectionId,
            itemId: itemId as ItemId,
            versionId: raw['versionId'],
          }
        : `${raw['type']} needs collectionId, itemId and versionId`;
    case 'collectionTimeline': {
      const limit = raw['limit'];
      return isShortString(collectionId) && Number.isSafeInteger(limit) && (limit as number) > 0
        ? {
            type: 'collectionTimeline',
            collectionId: collectionId as CollectionId,
            limit: Math.min(limit as number, 500),
          }
        : 'collectionTimeline needs collectionId and a positive limit';
    }
    case 'publishCollection':
    case 'unpublishCollection':
      return isShortString(collectionId)
        ? { type: raw['type'], collectionId: collectionId as CollectionId }
        : `${raw['type']} needs collectionId`;
    case 'addComment': {
      const { itemId, text } = raw;
      return isShortString(collectionId) &&
        isShortString(itemId) &&
        typeof text === 'string' &&
        text.trim().length > 0 &&
        text.length <= MAX_COMMENT_CHARS
        ? {
            type: 'addComment',
            collectionId: collectionId as CollectionId,
            itemId: itemId as ItemId,
            text: text.trim(),
          }
        : `addComment needs collectionId, itemId and a comment of 1 to ${MAX_COMMENT_CHARS} characters`;
    }
    case 'setLike': {
      const { itemId, on } = raw;
      return isShortString(collectionId) && isShortString(itemId) && typeof on === 'boolean'
        ? { type: 'setLike', collectionId: collectionId as CollectionId, itemId: itemId as ItemId, on }
        : 'setLike needs collectionId, itemId and on';
    }
    case 'followUser': {
      const { user, activity, name } = raw;
      return isDidKey(user) && isShortString(activity) && typeof name === 'string' && name.length <= 80
        ? { type: 'followUser', user, activity, name }
        : 'followUser needs a user key, an activity stream and a name';
    }
    case 'followCollection':
      return isShortString(collectionId) && typeof raw['on'] === 'boolean'
        ? { type: 'followCollection', collectionId: collectionId as CollectionId, on: raw['on'] }
        : 'followCollection needs collectionId and on';
    case 'unfollowUser':
      return isDidKey(raw['user'])
        ? { type: 'unfollowUser', user: raw['user'] }
        : 'unfollowUser needs a user key';
    case 'revokeDevice':
      return isDidKey(raw['device'])
        ? { type: 'revokeDevice', device: raw['device'] }
        : 'revokeDevice needs a device key';
    case 'acceptDeviceLink':
      return isPairingSecret(raw['secret'])
        ? { type: 'acceptDeviceLink', secret: raw['secret'] }
        : 'acceptDeviceLink needs a pairing code';
    case 'setDisplayName': {
      const name = raw['name'];
      return typeof name === 'string' && name.trim().length <= MAX_DISPLAY_NAME_CHARS
        ? { type: 'setDisplayName', name: name.trim() }
        : `setDisplayName needs a name of at most ${MAX_DISPLAY_NAME_CHARS} characters`;
    }
    case 'setMemberRole': {
      const { member, role, name } = raw;
      const roleOk = role === null || (ROLES as readonly unknown[]).includes(role);
      return isShortString(collectionId) &&
        isDidKey(member) &&
        roleOk &&
        (name === undefined || (typeof name === 'string' && name.length <= MAX_DISPLAY_NAME_CHARS))
        ? {
            type: 'setMemberRole',
            collectionId: collectionId as CollectionId,
            member,
            role: role as Role | null,
            ...(typeof name === 'string' && name.trim() ? { name: name.trim() } : {}),
          }
        : 'setMemberRole needs collectionId, a member key (did:key:…) and a role (owner, editor, viewer or null)';
    }
    case 'requestToJoin':
      return isShortString(collectionId)
        ? { type: 'requestToJoin', collectionId: collectionId as CollectionId }
        : 'requestToJoin needs collectionId';
    case 'denyRequest':
      return isShortString(collectionId) && isDidKey(raw['member'])
        ? { type: 'denyRequest', collectionId: collectionId as CollectionId, member: raw['member'] }
        : 'denyRequest needs collectionId and a member key';
    case 'setVisibility':
      return isShortString(collectionId) && (raw['visibility'] === 'link' || raw['visibility'] === 'members')
        ? { type: 'setVisibility', collectionId: collectionId as CollectionId, visibility: raw['visibility'] }
        : 'setVisibility needs collectionId and a visibility (link or members)';
    case 'exportCollection': {
      const format = raw['format'];
      return isShortString(collectionId) &&
        (format === 'json' || format === 'markdown' || format === 'automerge')
        ? { type: 'exportCollection', collectionId: collectionId as CollectionId, format }
        : 'exportCollection needs collectionId and a format (json, markdown, automerge)';
    }
    default:
      return undefined;
  }
}

/** Validates the query subscriptions; undefined when `raw.type` is not one of them. */
export function parseQuerySubscription(raw: Record<string, unknown>): QuerySubscription | string | undefined {
  switch (raw['type']) {
    case 'search': {
      const { query, collectionId, tag, limit, ahead } = raw;
      if (typeof query !== 'string' || query.length > MAX_SEARCH_QUERY_CHARS)
        return `search needs a query of at most ${MAX_SEARCH_QUERY_CHARS} characters`;
      if (collectionId !== undefined && !isShortString(collectionId)) return 'bad search collectionId';
      if (tag !== undefined && !isShortString(tag)) return 'bad search tag';
      if (limit !== undefined && !(Number.isSafeInteger(limit) && (limit as number) > 0))
        return 'bad search limit';
      if (ahead !== undefined && typeof ahead !== 'boolean') return 'bad search ahead';
      return {
        type: 'search',
        query,
        ...(collectionId !== undefined ? { collectionId: collectionId as CollectionId } : {}),
        ...(tag !== undefined ? { tag } : {}),
        ...(limit !== undefined ? { limit: Math.min(limit as number, MAX_SEARCH_LIMIT) } : {}),
        ...(ahead === true ? { ahead } : {}),
      };
    }
    case 'import': {
      const { collectionId, files } = raw;
      if (!isShortString(collectionId)) return 'import needs collectionId';
      if (!Array.isArray(files) || files.length === 0 || files.length > MAX_IMPORT_FILES)
        return `import needs 1 to ${MAX_IMPORT_FILES} files`;
      const parsed: ImportFileData[] = [];
      for (const file of files) {
        if (typeof file !== 'object' || file === null) return 'import file is not an object';
        const { name, bytes } = file as Record<string, unknown>;
        if (!isShortString(name) || !(bytes instanceof Uint8Array))
          return 'import file needs a name and bytes';
        parsed.push({ name, bytes });
      }
      return { type: 'import', collectionId: collectionId as CollectionId, files: parsed };
    }
    case 'readModelProgress':
      return { type: 'readModelProgress' };
    case 'identity':
      return { type: 'identity' };
    case 'deviceLink':
      return { type: 'deviceLink' };
    case 'devices':
      return { type: 'devices' };
    case 'feed':
      return { type: 'feed' };
    case 'following':
      return { type: 'following' };
    case 'itemSocial':
      return isShortString(raw['collectionId']) && isShortString(raw['itemId'])
        ? {
            type: 'itemSocial',
            collectionId: raw['collectionId'] as CollectionId,
            itemId: raw['itemId'] as ItemId,
          }
        : 'itemSocial needs collectionId and itemId';
    case 'members':
      return isShortString(raw['collectionId'])
        ? { type: 'members', collectionId: raw['collectionId'] as CollectionId }
        : 'members needs collectionId';
    case 'directory':
      return { type: 'directory' };
    case 'presence': {
      const { collectionId, itemId } = raw;
      if (!isShortString(collectionId)) return 'presence needs collectionId';
      if (itemId !== undefined && !isShortString(itemId)) return 'bad presence itemId';
      return {
        type: 'presence',
        collectionId: collectionId as CollectionId,
        ...(itemId !== undefined ? { itemId: itemId as ItemId } : {}),
      };
    }
    default:
      return undefined;
  }
}

/** A non-empty string short enough to be an id, a name or a tag. */
export function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 1_000;
}
