// Shape checks for frames arriving on the relay's WebSocket, run before automerge-repo sees them.
// automerge-repo trusts its peers: a non-string documentId, a missing `data` or a storageId like
// "../../x" (it becomes a file path in NodeFSStorageAdapter) would throw deep inside it or worse.

import { cbor, isValidDocumentId } from '@automerge/automerge-repo';
import { decodeSyncMessage } from '@automerge/automerge';

export const MESSAGE_TYPES = [
  'join',
  'request',
  'sync',
  'doc-unavailable',
  'ephemeral',
  'remote-heads-changed',
  'remote-subscription-change',
] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface CheckedFrame {
  type: MessageType;
  senderId: string;
  documentId?: string;
  /** The whole decoded message (for later guards that need more than the common fields). */
  message: Record<string, unknown>;
}

export type FrameCheck = { ok: true; frame: CheckedFrame } | { ok: false; reason: string };

const PEER_ID = /^[\x21-\x7e]{1,128}$/;
/** Storage ids are UUIDs; they end up in file names, so nothing path-like may pass. */
const STORAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_DOCUMENT_ID_CHARS = 64;
const MAX_LIST = 1000;

export function decodeFrame(bytes: Uint8Array): FrameCheck {
  let value: unknown;
  try {
    value = cbor.decode(bytes);
  } catch (err) {
    return { ok: false, reason: `not CBOR (${err instanceof Error ? err.message : String(err)})` };
  }
  return checkMessage(value);
}

export function checkMessage(value: unknown): FrameCheck {
  if (!isPlainObject(value)) return bad('not a CBOR map');
  const { type, senderId, targetId, documentId, data } = value;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type))
    return bad(`unknown type ${describe(type)}`);
  if (!isPeerId(senderId)) return bad(`bad senderId ${describe(senderId)}`);
  if (targetId !== undefined && !isPeerId(targetId)) return bad('bad targetId');
  if (documentId !== undefined && !isDocumentId(documentId))
    return bad(`bad documentId ${describe(documentId)}`);
  if (data !== undefined && !(data instanceof Uint8Array)) return bad('data is not a byte string');

  const needsDoc = type !== 'join' && type !== 'remote-subscription-change';
  if (needsDoc && documentId === undefined) return bad(`${type} without documentId`);
  const needsData = type === 'sync' || type === 'request' || type === 'ephemeral';
  if (needsData && (!(data instanceof Uint8Array) || data.byteLength === 0))
    return bad(`${type} without data`);

  const specific = checkSpecific(type as MessageType, value);
  if (specific) return bad(specific);
  const frame: CheckedFrame = { type: type as MessageType, senderId, message: value };
  if (typeof documentId === 'string') frame.documentId = documentId;
  return { ok: true, frame };
}

function checkSpecific(type: MessageType, m: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'join': {
      const { peerMetadata, supportedProtocolVersions: versions } = m;
      if (peerMetadata !== undefined) {
        if (!isPlainObject(peerMetadata)) return 'peerMetadata is not a map';
        const { storageId, isEphemeral } = peerMetadata;
        if (storageId !== undefined && !isStorageId(storageId)) return 'bad peerMetadata.storageId';
        if (isEphemeral !== undefined && typeof isEphemeral !== 'boolean')
          return 'bad peerMetadata.isEphemeral';
      }
      if (versions !== undefined && !isStringList(versions, 16, 32)) return 'bad supportedProtocolVersions';
      return undefined;
    }
    case 'sync':
    case 'request':
      try {
        decodeSyncMessage(m['data'] as Uint8Array);
      } catch {
        return 'data is not an Automerge sync message';
      }
      return undefined;
    case 'ephemeral':
      if (typeof m['count'] !== 'number' || !Number.isFinite(m['count'])) return 'bad ephemeral count';
      if (typeof m['sessionId'] !== 'string' || m['sessionId'].length > 128) return 'bad ephemeral sessionId';
      return undefined;
    case 'remote-subscription-change':
      for (const key of ['add', 'remove'] as const) {
        const list = m[key];
        if (list !== undefined && !(isStringList(list, MAX_LIST, 128) && list.every(isStorageId)))
          return `bad ${key} list`;
      }
      return undefined;
    case 'remote-heads-changed': {
      const { newHeads } = m;
      if (!isPlainObject(newHeads)) return 'bad newHeads';
      const entries = Object.entries(newHeads);
      if (entries.length > MAX_LIST) return 'too many newHeads';
      for (const [storageId, entry] of entries) {
        if (!isStorageId(storageId) || !isPlainObject(entry)) return 'bad newHeads entry';
        if (!isStringList(entry['heads'], MAX_LIST, 128) || typeof entry['timestamp'] !== 'number')
          return 'bad newHeads entry';
      }
      return undefined;
    }
    case 'doc-unavailable':
      return undefined;
  }
}

function bad(reason: string): FrameCheck {
  return { ok: false, reason };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPeerId(value: unknown): value is string {
  // Peer ids become keys of plain objects inside the adapter: "__proto__" or "constructor" must not pass.
  return typeof value === 'string' && PEER_ID.test(value) && !(value in Object.prototype);
}

function isStorageId(value: unknown): value is string {
  return typeof value === 'string' && STORAGE_ID.test(value) && !(value in Object.prototype);
}

function isDocumentId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DOCUMENT_ID_CHARS && isValidDocumentId(value);
}

function isStringList(value: unknown, maxItems: number, maxChars: number): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= maxItems &&
    value.every((v) => typeof v === 'string' && v.length <= maxChars)
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : typeof value;
}
