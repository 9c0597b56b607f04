// The engine's one IndexedDB database: Automerge chunks (the write model's storage) and the read
// models derived from documents. Only the engine opens it.

import { Dexie, type EntityTable, type Table } from 'dexie';
import type { CollectionSummary } from '../shared/types.ts';

/** automerge-repo storage key, e.g. [docId, "incremental", hash]. */
export type ChunkKey = string[];

export interface ChunkRow {
  key: ChunkKey;
  data: Uint8Array;
}

/** A joined collection as the sidebar lists it; written by the materializer, read at start-up. */
export interface CollectionRow extends CollectionSummary {
  /** Order of joining, so the list is stable. */
  joinedAt: number;
}

/** One item of one collection, as the catalog read model keeps it (tombstones included). */
export interface CatalogRow {
  collectionId: string;
  itemId: string;
  title: string;
  titleConflicts: string[];
  tags: string[];
  /** Plain text from the start of the body, whitespace folded. */
  snippet: string;
  createdAt: number;
  updatedAt: number;
  /** 1 for a tombstone (IndexedDB cannot index booleans). */
  deleted: 0 | 1;
}

/** Which document state a collection's persisted read models reflect. */
export interface ReadModelStateRow {
  collectionId: string;
  /** Automerge heads of the collection document the catalog rows were derived from. */
  heads: string[];
  /** CATALOG_FORMAT_VERSION the rows were written with; another version means rebuild. */
  version: number;
}

/** The persisted search index: one row, written in the background. */
export interface SearchIndexRow {
  id: 'global';
  /** SearchIndex.serialize() output (carries its own format version). */
  index: string;
  /** Per collection, the heads of the document the index reflects. */
  heads: Record<string, string[]>;
}

/** Small engine settings, e.g. this device's identity for presence. */
export interface MetaRow {
  key: string;
  value: unknown;
}

/**
 * This profile's identity: its device key and, on the device that created the user, the user's
 * root key. Private keys are non-extractable CryptoKeys: IndexedDB stores them, nothing can read them.
 */
export interface IdentityRow {
  key: 'self';
  user: string;
  device: string;
  deviceKey: CryptoKey;
  /** Present on the device where the user was created. */
  userKey?: CryptoKey;
  /** Certificates from the user's root key to this device. */
  chain: unknown[];
  displayName: string;
  createdAt: number;
}

export type PinaxDb = Dexie & {
  meta: EntityTable<MetaRow, 'key'>;
  identity: EntityTable<IdentityRow, 'key'>;
  chunks: Table<ChunkRow, ChunkKey>;
  collections: EntityTable<CollectionRow, 'id'>;
  catalog: Table<CatalogRow, [string, string]>;
  readModelState: EntityTable<ReadModelStateRow, 'collectionId'>;
  searchIndex: EntityTable<SearchIndexRow, 'id'>;
};

export const DB_NAME = 'pinax';
/** Dexie's built-in middlewares that exist only for liveQuery (observed writes, optimistic cache). */
const LIVE_QUERY_MIDDLEWARES = ['Observability', 'Cache'];

export function openPinaxDb(
  name: string = DB_NAME,
  options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange },
): PinaxDb {
  const db = new Dexie(name, options) as PinaxDb;
  db.version(1).stores({
    chunks: 'key',
    collections: 'id, joinedAt, updatedAt',
  });
  // Version 2: the catalog and search read models. New tables only: existing data is untouched, and
  // the read models are derived from the documents on first use.
  db.version(2).stores({
    catalog: '[collectionId+itemId], collectionId, *tags, updatedAt, [collectionId+updatedAt]',
    readModelState: 'collectionId',
    searchIndex: 'id',
  });
  db.version(3).stores({ meta: 'key' });
  db.version(4).stores({ identity: 'key' });
  // Nothing here uses liveQuery, whose middlewares track the keys of every write (and post them to
  // every other context) whether anyone listens or not: about a quarter of the engine's CPU per
  // edit. The one table that is watched says itself when it changed (table-change-feed.ts).
  for (const name of LIVE_QUERY_MIDDLEWARES) db.unuse({ stack: 'dbcore', name });
  return db;
}
