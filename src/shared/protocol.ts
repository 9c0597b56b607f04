// The tab <-> engine protocol: typed, versioned, and validated on arrival. Bump PROTOCOL_VERSION on
// any incompatible change; a tab speaking another version is told to reload, never misserved.

import type {
  CollectionId,
  CollectionState,
  CollectionSummary,
  ItemDetail,
  ItemId,
  ItemSummary,
  SyncStatus,
} from './types.ts';
import type { FieldError } from './limits.ts';
import { LIMITS } from './limits.ts';
import type {
  QueryCommand,
  QueryCommandResults,
  QuerySubscription,
  QuerySubscriptionPayloads,
} from './queries.ts';
import { isShortString, parseQueryCommand, parseQuerySubscription } from './query-parsing.ts';

export const PROTOCOL_VERSION = 2;

// ---- commands (tab -> engine, acknowledged once durable) ----

export type Command =
  | { type: 'createCollection'; name: string; description?: string }
  | { type: 'renameCollection'; collectionId: CollectionId; name: string }
  | { type: 'deleteCollection'; collectionId: CollectionId }
  | { type: 'openCollection'; collectionId: CollectionId }
  | { type: 'addItem'; collectionId: CollectionId; title?: string; body?: string; tags?: string[] }
  /** Up to MAX_BATCH_ITEMS items in one change: imports and seeding, not one command per item. */
  | { type: 'addItems'; collectionId: CollectionId; items: NewItemFields[] }
  | {
      type: 'updateItem';
      collectionId: CollectionId;
      itemId: ItemId;
      title?: string;
      body?: string;
      tags?: string[];
    }
  | { type: 'deleteItem'; collectionId: CollectionId; itemId: ItemId }
  | { type: 'restoreItem'; collectionId: CollectionId; itemId: ItemId }
  | { type: 'resolveConflict'; collectionId: CollectionId; itemId: ItemId; field: 'title'; value: string }
  | QueryCommand;

export type CommandType = Command['type'];

export interface NewItemFields {
  title?: string;
  body?: string;
  tags?: string[];
}

export const MAX_BATCH_ITEMS = 1_000;

export interface CommandResults extends QueryCommandResults {
  createCollection: { collectionId: CollectionId };
  renameCollection: null;
  deleteCollection: null;
  openCollection: { collectionId: CollectionId };
  addItem: { itemId: ItemId };
  addItems: { itemIds: ItemId[] };
  updateItem: null;
  deleteItem: null;
  restoreItem: null;
  resolveConflict: null;
}

// ---- live subscriptions ----

export type Subscription =
  | { type: 'collections' }
  | { type: 'collection'; collectionId: CollectionId }
  | { type: 'item'; collectionId: CollectionId; itemId: ItemId }
  | { type: 'syncStatus' }
  | QuerySubscription;

export type CollectionUpdate =
  | { kind: 'state'; state: CollectionState }
  | { kind: 'patch'; collection: CollectionSummary; upserts: ItemSummary[]; removed: ItemId[] };

export interface SubscriptionPayloads extends QuerySubscriptionPayloads {
  collections: CollectionSummary[];
  collection: CollectionUpdate;
  item: { status: 'ready'; item: ItemDetail } | { status: 'missing' };
  syncStatus: SyncStatus;
}

// ---- wire messages ----

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
export const ERROR_CODES = {
  invalid: 'invalid',
  notFound: 'not-found',
  tooLarge: 'too-large',
  /** The user's role does not allow it (a viewer editing, a non-owner changing members). */
  forbidden: 'forbidden',
  internal: 'internal',
} as const;

export interface RpcError {
  code: ErrorCode;
  message: string;
  fieldError?: FieldError;
}

export type TabMessage =
  | { t: 'hello'; v: number }
  | { t: 'cmd'; id: number; cmd: Command }
  | { t: 'sub'; id: number; sub: Subscription }
  | { t: 'unsub'; id: number };

export type EngineMessage =
  | { t: 'welcome'; v: number; mode: SyncStatus['engineMode'] }
  | { t: 'reload'; engineVersion: number; reason: string }
  | { t: 'ack'; id: number; result: unknown }
  | { t: 'err'; id: number; error: RpcError }
  | { t: 'data'; id: number; payload: unknown }
  | { t: 'log'; level: 'warn' | 'error'; namespace: string; text: string };

/**
 * Validates a message from a tab. Anything a tab posts is treated as untrusted: a bug or a
 * stale build can send anything. Returns a reason string for junk so the engine can log and drop it.
 */
export function parseTabMessage(raw: unknown): TabMessage | string {
  if (!isRecord(raw)) return 'not an object';
  switch (raw['t']) {
    case 'hello':
      return typeof raw['v'] === 'number' ? { t: 'hello', v: raw['v'] } : 'hello without version';
    case 'unsub':
      return isId(raw['id']) ? { t: 'unsub', id: raw['id'] } : 'unsub without id';
    case 'sub': {
      if (!isId(raw['id'])) return 'sub without id';
      const sub = parseSubscription(raw['sub']);
      return typeof sub === 'string' ? sub : { t: 'sub', id: raw['id'], sub };
    }
    case 'cmd': {
      if (!isId(raw['id'])) return 'cmd without id';
      const cmd = parseCommand(raw['cmd']);
      return typeof cmd === 'string' ? cmd : { t: 'cmd', id: raw['id'], cmd };
    }
    default:
      return 'unknown message type';
  }
}

// ---- helpers ----

function parseSubscription(raw: unknown): Subscription | string {
  if (!isRecord(raw)) return 'subscription is not an object';
  switch (raw['type']) {
    case 'collections':
      return { type: 'collections' };
    case 'syncStatus':
      return { type: 'syncStatus' };
    case 'collection':
      return isShortString(raw['collectionId'])
        ? { type: 'collection', collectionId: raw['collectionId'] as CollectionId }
        : 'collection subscription without collectionId';
    case 'item':
      return isShortString(raw['collectionId']) && isShortString(raw['itemId'])
        ? { type: 'item', collectionId: raw['collectionId'] as CollectionId, itemId: raw['itemId'] as ItemId }
        : 'item subscription without ids';
    default:
      return parseQuerySubscription(raw) ?? 'unknown subscription type';
  }
}

function parseCommand(raw: unknown): Command | string {
  if (!isRecord(raw)) return 'command is not an object';
  const collectionId = raw['collectionId'];
  const itemId = raw['itemId'];
  const hasCollection = isShortString(collectionId);
  const hasItem = isShortString(itemId);
  const optionalFields = parseOptionalItemFields(raw);
  switch (raw['type']) {
    case 'createCollection': {
      if (!isString(raw['name'])) return 'createCollection without name';
      if (raw['description'] !== undefined && !isString(raw['description'])) return 'bad description';
      return {
        type: 'createCollection',
        name: raw['name'],
        ...(isString(raw['description']) ? { description: raw['description'] } : {}),
      };
    }
    case 'renameCollection':
      return hasCollection && isString(raw['name'])
        ? { type: 'renameCollection', collectionId: collectionId as CollectionId, name: raw['name'] }
        : 'renameCollection needs collectionId and name';
    case 'deleteCollection':
    case 'openCollection':
      return hasCollection
        ? { type: raw['type'], collectionId: collectionId as CollectionId }
        : `${raw['type']} needs collectionId`;
    case 'addItem':
      if (!hasCollection) return 'addItem needs collectionId';
      if (typeof optionalFields === 'string') return optionalFields;
      return { type: 'addItem', collectionId: collectionId as CollectionId, ...optionalFields };
    case 'addItems': {
      if (!hasCollection) return 'addItems needs collectionId';
      const items = raw['items'];
      if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_ITEMS)
        return `addItems needs 1 to ${MAX_BATCH_ITEMS} items`;
      const parsed: NewItemFields[] = [];
      for (const [index, item] of items.entries()) {
        if (!isRecord(item)) return `item ${index + 1} is not an object`;
        const fields = parseOptionalItemFields(item);
        if (typeof fields === 'string') return `item ${index + 1}: ${fields}`;
        parsed.push(fields);
      }
      return { type: 'addItems', collectionId: collectionId as CollectionId, items: parsed };
    }
    case 'updateItem':
      if (!hasCollection || !hasItem) return 'updateItem needs collectionId and itemId';
      if (typeof optionalFields === 'string') return optionalFields;
      return {
        type: 'updateItem',
        collectionId: collectionId as CollectionId,
        itemId: itemId as ItemId,
        ...optionalFields,
      };
    case 'deleteItem':
    case 'restoreItem':
      return hasCollection && hasItem
        ? { type: raw['type'], collectionId: collectionId as CollectionId, itemId: itemId as ItemId }
        : `${raw['type']} needs collectionId and itemId`;
    case 'resolveConflict':
      return hasCollection && hasItem && raw['field'] === 'title' && isString(raw['value'])
        ? {
            type: 'resolveConflict',
            collectionId: collectionId as CollectionId,
            itemId: itemId as ItemId,
            field: 'title',
            value: raw['value'],
          }
        : 'resolveConflict needs collectionId, itemId, field and value';
    default:
      return parseQueryCommand(raw) ?? 'unknown command type';
  }
}

function parseOptionalItemFields(raw: Record<string, unknown>): NewItemFields | string {
  const out: NewItemFields = {};
  if (raw['title'] !== undefined) {
    if (!isString(raw['title'])) return 'title must be a string';
    out.title = raw['title'];
  }
  if (raw['body'] !== undefined) {
    if (!isString(raw['body'])) return 'body must be a string';
    out.body = raw['body'];
  }
  if (raw['tags'] !== undefined) {
    const tags = raw['tags'];
    if (!Array.isArray(tags) || tags.length > 10_000 || !tags.every(isShortString))
      return 'tags must be a list of strings';
    out.tags = tags;
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Strings up to the RPC cap; longer ones are dropped before they reach the field checks. */
function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.rpcMaxStringChars;
}
