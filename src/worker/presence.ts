// Presence: which devices have a collection open right now, and which items they are editing.
// Ephemeral and never stored: each engine broadcasts a small heartbeat on the collection's document
// (automerge-repo ephemeral messages, which the relay and sibling engines forward) while one of its
// tabs shows the collection, and forgets a device it has not heard from for a few seconds.

import type { DocHandle, DocHandleEphemeralMessagePayload } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import type { PresencePeer, PresenceState } from '../shared/queries.ts';
import type { CollectionId, ItemId } from '../shared/types.ts';
import type { CollectionStore } from './collection-store.ts';
import type { PinaxDb } from './db.ts';
import type { CollectionDoc } from './domain/collection-doc.ts';

export const HEARTBEAT_MS = 2_000;
/** A device not heard from for this long has gone (closed, offline, crashed). */
export const PRESENCE_TTL_MS = 6_000;

export interface DeviceIdentity {
  deviceId: string;
  name: string;
  colour: string;
}

export class PresenceHub {
  #collections: CollectionStore;
  #self: () => Promise<DeviceIdentity>;
  #rooms = new Map<CollectionId, Room>();

  /** `displayName` is the user's chosen name, shown instead of the device label once set. */
  constructor(db: PinaxDb, collections: CollectionStore, displayName: () => string = () => '') {
    this.#collections = collections;
    const device = deviceIdentity(db);
    this.#self = async () => {
      const self = await device;
      const name = displayName();
      return name ? { ...self, name } : self;
    };
  }

  /** A tab shows the collection (and maybe edits an item); returns the leave. */
  join(
    collectionId: CollectionId,
    itemId: ItemId | undefined,
    push: (state: PresenceState) => void,
  ): () => void {
    let room = this.#rooms.get(collectionId);
    if (!room) {
      room = new Room(collectionId, this.#self, () => this.#rooms.delete(collectionId));
      this.#rooms.set(collectionId, room);
      void room.attach(this.#collections);
    }
    return room.add({ itemId, push });
  }
}

interface Viewer {
  itemId: ItemId | undefined;
  push: (state: PresenceState) => void;
}

/** One collection's presence: local viewers, heartbeats out, remote devices in. */
class Room {
  #id: CollectionId;
  #self: () => Promise<DeviceIdentity>;
  #onEmpty: () => void;
  #viewers = new Set<Viewer>();
  #peers = new Map<string, PresencePeer & { seenAt: number }>();
  #handle: DocHandle<CollectionDoc> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #detach: (() => void) | undefined;

  constructor(id: CollectionId, self: () => Promise<DeviceIdentity>, onEmpty: () => void) {
    this.#id = id;
    this.#self = self;
    this.#onEmpty = onEmpty;
  }

  async attach(collections: CollectionStore): Promise<void> {
    const live = await collections.get(this.#id);
    if (!live || this.#viewers.size === 0) return;
    const handle = live.handle;
    this.#handle = handle;
    const onMessage = (payload: DocHandleEphemeralMessagePayload<CollectionDoc>) =>
      this.#receive(payload.message);
    handle.on('ephemeral-message', onMessage);
    this.#detach = () => handle.off('ephemeral-message', onMessage);
    this.#timer = setInterval(() => this.#tick(), HEARTBEAT_MS / 2);
    await this.#announce();
    await this.#publish();
  }

  add(viewer: Viewer): () => void {
    this.#viewers.add(viewer);
    void this.#announce();
    void this.#publish();
    return () => {
      if (!this.#viewers.delete(viewer)) return;
      if (this.#viewers.size > 0) {
        void this.#announce();
        return;
      }
      // Last local viewer gone: say so at once, so others need not wait for the timeout.
      void this.#announce(true);
      clearInterval(this.#timer);
      this.#detach?.();
      this.#onEmpty();
    };
  }

  #lastBeat = 0;

  #tick(): void {
    const now = Date.now();
    let changed = false;
    for (const [deviceId, peer] of this.#peers) {
      if (now - peer.seenAt > PRESENCE_TTL_MS) {
        this.#peers.delete(deviceId);
        changed = true;
      }
    }
    if (changed) void this.#publish();
    if (now - this.#lastBeat >= HEARTBEAT_MS) void this.#announce();
  }

  async #announce(leaving = false): Promise<void> {
    const handle = this.#handle;
    if (!handle) return;
    const self = await this.#self();
    this.#lastBeat = Date.now();
    const itemIds = [...new Set([...this.#viewers].flatMap((v) => (v.itemId ? [v.itemId] : [])))];
    try {
      handle.broadcast({ pinaxPresence: 1, ...self, itemIds, leaving });
    } catch (error) {
      log.debug('presence broadcast failed', error);
    }
  }

  /** Messages come from any peer: anything that is not a well-formed heartbeat is dropped. */
  #receive(message: unknown): void {
    const beat = parseHeartbeat(message);
    if (!beat) return;
    void this.#self().then((self) => {
      if (beat.deviceId === self.deviceId) return; // another tab's engine of this same device
      if (beat.leaving) this.#peers.delete(beat.deviceId);
      else this.#peers.set(beat.deviceId, { ...beat.peer, seenAt: Date.now() });
      void this.#publish();
    });
  }

  async #publish(): Promise<void> {
    const self = await this.#self();
    const others = [...this.#peers.values()]
      .sort((a, b) => b.seenAt - a.seenAt)
      .map(({ seenAt: _seenAt, ...peer }) => peer);
    for (const viewer of this.#viewers) viewer.push({ self, others });
  }
}

const log = makeLogger('pinax:presence');

/** A heartbeat from another engine, or undefined for anything else (exported for tests). */
export function parseHeartbeat(
  message: unknown,
): { deviceId: string; leaving: boolean; peer: PresencePeer } | undefined {
  if (!message || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  if (m['pinaxPresence'] !== 1) return undefined;
  const { deviceId, name, colour, itemIds, leaving } = m;
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 64) return undefined;
  if (typeof name !== 'string' || name.length > 64) return undefined;
  if (typeof colour !== 'string' || !/^hsl\(\d{1,3} \d{1,3}% \d{1,3}%\)$/.test(colour)) return undefined;
  if (
    !Array.isArray(itemIds) ||
    itemIds.length > 100 ||
    !itemIds.every((i) => typeof i === 'string' && i.length <= 64)
  )
    return undefined;
  return {
    deviceId,
    leaving: leaving === true,
    peer: { deviceId, name, colour, itemIds: itemIds as string[] },
  };
}

/** This profile's device: a random id kept in IndexedDB, a short label and a colour derived from it. */
async function deviceIdentity(db: PinaxDb): Promise<DeviceIdentity> {
  let deviceId: string;
  try {
    const row = await db.meta.get('device');
    if (typeof row?.value === 'string') deviceId = row.value;
    else {
      deviceId = crypto.randomUUID();
      await db.meta.put({ key: 'device', value: deviceId });
    }
  } catch (error) {
    log.warn('could not store the device id; using one for this session', error);
    deviceId = crypto.randomUUID();
  }
  const hue = parseInt(deviceId.replace(/-/g, '').slice(0, 6), 16) % 360;
  return { deviceId, name: `Device ${deviceId.slice(0, 4).toUpperCase()}`, colour: `hsl(${hue} 65% 45%)` };
}
