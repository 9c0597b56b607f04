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

export type PinaxDb = Dexie & {
  chunks: Table<ChunkRow, ChunkKey>;
  collections: EntityTable<CollectionRow, 'id'>;
};

export const DB_NAME = 'pinax';

export function openPinaxDb(
  name: string = DB_NAME,
  options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange },
): PinaxDb {
  const db = new Dexie(name, options) as PinaxDb;
  db.version(1).stores({
    chunks: 'key',
    collections: 'id, joinedAt, updatedAt',
  });
  return db;
}
