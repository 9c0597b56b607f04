// Protocol additions of the read-model issue: search (a live subscription), item history, versions
// and the collection timeline (queries), export (a query returning a file), and import (a
// subscription streaming progress: unsubscribing cancels it). The types; their validators are in
// query-parsing.ts, and protocol.ts folds both into its unions.

import type { CollectionId, ItemId } from './types.ts';
import type { Role, Visibility } from './access/entries.ts';
import type { ActivityView } from './social/activity.ts';
import type { CommentView } from './social/reactions.ts';

// ---- search ----

export interface SearchRequest {
  type: 'search';
  query: string;
  collectionId?: CollectionId;
  tag?: string;
  limit?: number;
  /**
   * Also push, ahead of time, the answers to this query with one more character typed: those the
   * index's words allow (src/worker/queries/search-ahead.ts). A tab asks while its search box has
   * the focus, and shows such an answer in the frame of the keystroke that asks for it, instead of
   * a frame later (Chromium hands a worker's message to the page only after the frame that paints a
   * keystroke).
   */
  ahead?: boolean;
}

export interface SearchResultItem {
  collectionId: CollectionId;
  collectionName: string;
  itemId: ItemId;
  title: string;
  snippet: string;
  tags: string[];
  /** Index terms the item matched, for highlighting (see src/shared/highlight.ts). */
  terms: string[];
}

export interface SearchResults {
  query: string;
  total: number;
  hits: SearchResultItem[];
  /** Tag counts over all matches (or over every item when the query is empty). */
  facets: Array<{ tag: string; count: number }>;
  /** Time the engine spent answering, in ms. */
  tookMs: number;
  /** Items still being indexed (a rebuild after a format change, or a collection just arrived). */
  indexing: { pending: number; total: number };
  /**
   * Set on an answer pushed ahead of time for `query` (SearchRequest.ahead), not for the
   * subscription's own. It holds only the first FIRST_FRAME_HITS hits: what the tab builds in the
   * keystroke's frame. The rest come with the engine's own answer, a few milliseconds later.
   */
  ahead?: true;
  /**
   * How many read-model changes the subscription had seen when this was worked out: its answers
   * from a lower epoch may be out of date.
   */
  epoch?: number;
}

/**
 * About a screenful of results: a tab builds this many rows in the frame that shows new results and
 * the rest in the next, and an answer worked out ahead holds this many.
 */
export const FIRST_FRAME_HITS = 12;

export const MAX_SEARCH_QUERY_CHARS = 500;
export const MAX_SEARCH_LIMIT = 500;

// ---- history ----

export interface ItemVersionInfo {
  /** Opaque; pass back to itemVersion / restoreVersion. */
  id: string;
  time: number;
  /** The writing device: a short form of its Automerge actor (random, names no one). */
  actor: string;
  /**
   * The user who made it (did:key), as the change names them; the relay accepts a change only from
   * the user it names. Absent for changes from before authors were named.
   */
  author?: string;
  summary: string;
  source: 'collection' | 'body';
}

export interface ItemVersionState {
  title: string;
  body: string;
  tags: string[];
  deleted: boolean;
}

export interface TimelineEntryInfo {
  id: string;
  time: number;
  actor: string;
  /** As in ItemVersionInfo. */
  author?: string;
  summary: string;
  items: Array<{ itemId: ItemId; title: string; deleted: boolean }>;
}

// ---- export / import ----

export type ExportFormat = 'json' | 'markdown' | 'automerge';

export interface ExportedFile {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface ImportFileData {
  name: string;
  bytes: Uint8Array;
}

export interface ImportProgress {
  phase: 'parsing' | 'importing' | 'done' | 'cancelled' | 'failed';
  /** Valid records found in the files. */
  total: number;
  /** Records committed so far (whole batches only). */
  imported: number;
  problems: Array<{ file: string; position: number | null; reason: string }>;
  error?: string;
}

export const MAX_IMPORT_FILES = 1_000;

/** A pairing shown on this device, for linking another one (src/worker/identity/device-linking.ts). */
export type DeviceLinkState =
  | { status: 'opening' }
  | { status: 'waiting'; link: string; expiresAt: number }
  | { status: 'certifying'; label: string }
  | { status: 'linked'; label: string }
  | { status: 'expired' }
  | { status: 'failed'; reason: string };

/** One of the user's devices, from the home document. */
export interface DeviceView {
  device: string;
  label: string;
  linkedAt: number;
  /** The device this engine runs on. */
  current: boolean;
  revoked: boolean;
}

/** An item's comments and likes, as this device verified them. */
export interface ItemSocialView {
  /** This user's key: their own comments get no "Follow" button. */
  self: string;
  /** This user is a member (any role), so may comment and like. */
  canReact: boolean;
  likes: number;
  likedByMe: boolean;
  comments: Array<CommentView & { fingerprint: string }>;
  /** Entries that did not verify: shown as such, never counted. */
  unverified: number;
}

/** The feed: entries of the users followed, newest first, each verified or not. */
export interface FeedView {
  following: number;
  entries: Array<ActivityView & { fingerprint: string }>;
}

/** Who and what this user follows. */
export interface FollowingView {
  users: string[];
  collections: string[];
}

export type QueryCommand =
  | { type: 'itemHistory'; collectionId: CollectionId; itemId: ItemId }
  | { type: 'itemVersion'; collectionId: CollectionId; itemId: ItemId; versionId: string }
  | { type: 'restoreVersion'; collectionId: CollectionId; itemId: ItemId; versionId: string }
  | { type: 'collectionTimeline'; collectionId: CollectionId; limit: number }
  | { type: 'exportCollection'; collectionId: CollectionId; format: ExportFormat }
  | { type: 'publishCollection'; collectionId: CollectionId }
  | { type: 'unpublishCollection'; collectionId: CollectionId }
  | { type: 'setDisplayName'; name: string }
  | { type: 'setMemberRole'; collectionId: CollectionId; member: string; role: Role | null; name?: string }
  | { type: 'setVisibility'; collectionId: CollectionId; visibility: Visibility }
  | { type: 'requestToJoin'; collectionId: CollectionId }
  | { type: 'denyRequest'; collectionId: CollectionId; member: string }
  | { type: 'acceptDeviceLink'; secret: string }
  | { type: 'revokeDevice'; device: string }
  | { type: 'addComment'; collectionId: CollectionId; itemId: ItemId; text: string }
  | { type: 'setLike'; collectionId: CollectionId; itemId: ItemId; on: boolean }
  | { type: 'followUser'; user: string; activity: string; name: string }
  | { type: 'unfollowUser'; user: string }
  | { type: 'followCollection'; collectionId: CollectionId; on: boolean };

export interface QueryCommandResults {
  itemHistory: ItemVersionInfo[];
  itemVersion: ItemVersionState;
  restoreVersion: null;
  collectionTimeline: TimelineEntryInfo[];
  exportCollection: ExportedFile;
  publishCollection: null;
  unpublishCollection: null;
  setDisplayName: null;
  setMemberRole: null;
  setVisibility: null;
  requestToJoin: null;
  denyRequest: null;
  acceptDeviceLink: { user: string };
  revokeDevice: null;
  addComment: null;
  setLike: null;
  followUser: null;
  unfollowUser: null;
  followCollection: null;
}

/** Who may do what in a collection, as this device resolved it from the signed access entries. */
export interface MembersView {
  /** False for collections from before access control: anyone with the link may edit them. */
  guarded: boolean;
  visibility: Visibility;
  /** This user's role; null when not a member (a reader of a link-visible collection). */
  myRole: Role | null;
  members: Array<{ user: string; fingerprint: string; name?: string; role: Role; isYou: boolean }>;
  /** Entries that did not verify or were written without the right: never applied. */
  unverified: number;
  /** Verified requests to join from non-members, for owners to answer (empty for others). */
  requests: Array<{ user: string; fingerprint: string; name: string; at: number }>;
  /** This user has asked to join and is not a member yet. */
  requested: boolean;
}

/** Who this profile is: its user (a did:key) and this device, as the user should see them. */
export interface IdentityView {
  user: string;
  device: string;
  /** Short and stable: shown beside the self-asserted name, so two "Ana"s look different. */
  fingerprint: string;
  /** Empty until the user picks one. */
  displayName: string;
  deviceLabel: string;
}

export const MAX_DISPLAY_NAME_CHARS = 60;

/** A collection published to the relay's directory. */
export interface DirectoryEntry {
  collectionId: CollectionId;
  name: string;
  description: string;
  tags: string[];
  itemCount: number;
  publishedAt: number;
}

export interface DirectoryState {
  /** False until the relay's directory has been reached once (it is then remembered offline). */
  available: boolean;
  entries: DirectoryEntry[];
}

/** One device showing a collection right now (ephemeral: never stored). */
export interface PresencePeer {
  deviceId: string;
  name: string;
  /** A CSS colour, stable per device. */
  colour: string;
  /** Items that device has open in an editor. */
  itemIds: string[];
}

export interface PresenceState {
  self: { deviceId: string; name: string; colour: string };
  /** Other devices with this collection open, most recently heard first. */
  others: PresencePeer[];
}

export type QuerySubscription =
  | SearchRequest
  | { type: 'presence'; collectionId: CollectionId; itemId?: ItemId }
  | { type: 'directory' }
  | { type: 'import'; collectionId: CollectionId; files: ImportFileData[] }
  | { type: 'readModelProgress' }
  | { type: 'identity' }
  | { type: 'deviceLink' }
  | { type: 'devices' }
  | { type: 'itemSocial'; collectionId: CollectionId; itemId: ItemId }
  | { type: 'feed' }
  | { type: 'following' }
  | { type: 'members'; collectionId: CollectionId };

export interface QuerySubscriptionPayloads {
  identity: IdentityView;
  deviceLink: DeviceLinkState;
  devices: DeviceView[];
  itemSocial: ItemSocialView;
  feed: FeedView;
  following: FollowingView;
  members: MembersView;
  search: SearchResults;
  presence: PresenceState;
  directory: DirectoryState;
  import: ImportProgress;
  /** Items still to derive into the catalog and search index, in all and per collection. */
  readModelProgress: {
    pending: number;
    total: number;
    collections: Record<string, { pending: number; total: number }>;
  };
}
