// Read-model shapes the engine sends to tabs. Tabs render these; they never see Automerge documents.

export type CollectionId = string & { readonly __collectionId: true };
export type ItemId = string & { readonly __itemId: true };

export interface CollectionSummary {
  id: CollectionId;
  name: string;
  description: string;
  itemCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface ItemSummary {
  id: ItemId;
  title: string;
  /** Every concurrent value of the title when two devices set it at once; empty when there is no conflict. */
  titleConflicts: string[];
  tags: string[];
  snippet: string;
  createdAt: number;
  updatedAt: number;
}

export interface ItemDetail extends ItemSummary {
  body: string;
  /** True once the body lives in its own collaborative document. */
  hasBodyDoc: boolean;
  /** The user (did:key) who last changed the item, when known. */
  author?: string;
}

/** What a collection link whose id is not a valid document id (bad alphabet, length or checksum) says. */
export const MALFORMED_COLLECTION_LINK = 'This collection link is malformed: its document id is not valid.';

export type CollectionState =
  | { status: 'loading'; id: CollectionId; received?: TransferProgress }
  | {
      status: 'unavailable';
      id: CollectionId;
      reason: string;
      /**
       * The link itself is wrong (its id fails its checksum: mistyped or cut short), so no relay or
       * retry will ever open it.
       */
      malformed?: true;
    }
  | {
      status: 'ready';
      collection: CollectionSummary;
      items: ItemSummary[];
      /** First load on this device: its catalog and search index are still being built. */
      arriving?: true;
    };

export type SyncState = 'Offline' | 'Connecting' | 'Syncing' | 'Synced';

export interface SyncStatus {
  state: SyncState;
  relayUrl: string | null;
  /** Documents whose latest heads the relay has not acknowledged yet. */
  pendingDocuments: number;
  lastSyncedAt: number | null;
  lastError: string | null;
  /** 'shared-worker' or 'dedicated-worker' (fallback, bridged over BroadcastChannel). */
  engineMode: EngineMode;
  holdsRelayConnection: boolean;
}

export type EngineMode = 'shared-worker' | 'dedicated-worker';

/** A document arriving over the network: bytes so far, and in all when the sender said. */
export interface TransferProgress {
  bytes: number;
  totalBytes: number | null;
}
