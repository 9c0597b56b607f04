// The user's activity stream and the feed (src/shared/social/activity.ts). The stream is one
// Automerge document per user, named in the home document so all the user's devices append to the
// same one. The feed reads the streams of the users followed (kept in the home document too),
// verifies every entry (signature, and the author's role in the collections this device holds),
// and lists them newest first.

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import {
  ImmutableString,
  isValidAutomergeUrl,
  isValidDocumentId,
  parseAutomergeUrl,
} from '@automerge/automerge-repo/slim';
import type { CollectionId } from '../../shared/types.ts';
import type { CollectionAccess } from '../access/collection-access.ts';
import type { CollectionStore } from '../collection-store.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { fingerprintOf, isDidKey } from '../../shared/identity/did-key.ts';
import type { FeedView, FollowingView } from '../../shared/queries.ts';
import type { ActivityAction, ActivityView } from '../../shared/social/activity.ts';
import type { RoleLookup } from '../../shared/social/activity.ts';
import { ACTIVITY_KIND, readActivity, signActivity } from '../../shared/social/activity.ts';
import { makeLogger } from '../../shared/log.ts';
import type { Home, HomeDoc } from '../home.ts';
import type { DeviceIdentity } from '../identity/keystore.ts';

/** What the feed needs from the collections this device holds. */
export interface FeedCollections {
  /** A followed collection's comments and likes as Feed entries, live; returns the unsubscribe. */
  feed(collectionId: string, push: (entries: ActivityView[]) => void): () => void;
  /** Who may act in a collection, to check what a stream says they did there. */
  roleOf: RoleLookup;
}

interface ActivityDoc {
  kind: typeof ACTIVITY_KIND;
  user: string;
  entries: ImmutableString[];
}

/**
 * Roles in the collections this device has joined, read from their access documents. For any other
 * collection it cannot tell (undefined): it never fetches a collection just to check a feed entry.
 */
export function heldRoleOf(collections: CollectionStore, access: CollectionAccess): RoleLookup {
  return async (collectionId, user) => {
    if (!isValidDocumentId(collectionId)) return undefined;
    const id = collectionId as string as CollectionId;
    if (!(await collections.summary(id))) return undefined;
    const live = await collections.get(id);
    const resolved = live ? await access.resolve(live) : undefined;
    return resolved ? (resolved.members.get(user)?.role ?? null) : undefined;
  };
}

/** The feed shows at most this many entries. */
const FEED_LIMIT = 200;

export class ActivityService {
  #repo: Promise<Repo>;
  #identity: Promise<DeviceIdentity>;
  #home: Home;
  #displayName: () => Promise<string>;
  #verified = new Map<string, boolean>();
  #own: Promise<DocHandle<ActivityDoc>> | undefined;
  #collections: FeedCollections;
  #claim: (documentId: string) => void;

  constructor(
    repo: Promise<Repo>,
    identity: Promise<DeviceIdentity>,
    home: Home,
    displayName: () => Promise<string>,
    collections: FeedCollections,
    /** Told the stream's id once it is open, to register it as the user's own. */
    claim: (documentId: string) => void = () => undefined,
  ) {
    this.#collections = collections;
    this.#claim = claim;
    this.#repo = repo;
    this.#identity = identity;
    this.#home = home;
    this.#displayName = displayName;
  }

  /** The URL of this user's activity stream (made on first use); followers read it. */
  async ownUrl(): Promise<string> {
    return (await this.#ownHandle()).url;
  }

  /** Appends a signed entry to this user's stream; returns the documents to flush. */
  async record(action: ActivityAction): Promise<string[]> {
    const [identity, handle] = await Promise.all([this.#identity, this.#ownHandle()]);
    const activity = {
      ...action,
      id: crypto.randomUUID(),
      user: identity.user,
      name: await this.#displayName(),
      at: Date.now(),
    };
    const signed = await signActivity(identity.deviceKey, identity.device, identity.chain, activity);
    handle.change((doc) => {
      doc.entries.push(new ImmutableString(JSON.stringify(signed)));
    });
    return [handle.documentId];
  }

  /** Follows a user's stream, and says so in this user's own stream. */
  async follow(user: DidKey, activity: string, name: string): Promise<string[]> {
    if (!isValidAutomergeUrl(activity)) throw new Error('not an activity stream');
    const identity = await this.#identity;
    if (user === identity.user) return [];
    const homeId = await this.#home.update((doc) => {
      doc.following ??= {};
      doc.following[user] = { activity, name, since: Date.now() };
    });
    return [
      homeId,
      ...(await this.record({ verb: 'follow', title: name || fingerprintOf(user), followed: user })),
    ];
  }

  async unfollow(user: DidKey): Promise<string[]> {
    return [
      await this.#home.update((doc) => {
        if (doc.following?.[user]) delete doc.following[user];
      }),
    ];
  }

  /** Follows a collection's comments and likes. */
  async followCollection(collectionId: string, title: string): Promise<string[]> {
    const homeId = await this.#home.update((doc) => {
      doc.followingCollections ??= {};
      doc.followingCollections[collectionId] = { since: Date.now() };
    });
    return [homeId, ...(await this.record({ verb: 'follow', title, followed: collectionId }))];
  }

  async unfollowCollection(collectionId: string): Promise<string[]> {
    return [
      await this.#home.update((doc) => {
        if (doc.followingCollections?.[collectionId]) delete doc.followingCollections[collectionId];
      }),
    ];
  }

  /** Users and collections followed, now and on every change; returns the unsubscribe. */
  subscribeFollowing(push: (following: FollowingView) => void): () => void {
    return this.#home.watch((doc) =>
      push({
        users: Object.keys(doc?.following ?? {}),
        collections: Object.keys(doc?.followingCollections ?? {}),
      }),
    );
  }

  /** The feed: followed users' entries, newest first, now and on every change; returns the unsubscribe. */
  subscribeFeed(push: (view: FeedView) => void): () => void {
    let active = true;
    const streams = new Map<string, { user: DidKey; handle: DocHandle<ActivityDoc>; off: () => void }>();
    const collections = new Map<string, { entries: ActivityView[]; off: () => void }>();
    let computing = Promise.resolve();
    const send = () => {
      computing = computing
        .then(async () => {
          const entries: ActivityView[] = [];
          for (const { user, handle } of streams.values()) {
            const doc = handle.isReady() ? handle.doc() : undefined;
            if (doc?.kind !== ACTIVITY_KIND || doc.user !== user) continue;
            const stream = await readActivity(user, doc.entries, this.#verified, this.#collections.roleOf);
            for (const entry of stream)
              // A followed collection's comments and likes come from the collection itself.
              if (!('collection' in entry && collections.has(entry.collection) && entry.verb !== 'publish'))
                entries.push(entry);
          }
          for (const followed of collections.values()) entries.push(...followed.entries);
          entries.sort((a, b) => b.at - a.at);
          if (active)
            push({
              following: streams.size + collections.size,
              entries: entries
                .slice(0, FEED_LIMIT)
                .map((entry) => ({ ...entry, fingerprint: fingerprintOf(entry.user) })),
            });
        })
        .catch((error: unknown) => log.error('could not read the feed', error));
    };
    const offHome = this.#home.watch((doc) => {
      const followed = doc?.followingCollections ?? {};
      for (const [id, collection] of collections)
        if (!followed[id]) {
          collection.off();
          collections.delete(id);
        }
      for (const id of Object.keys(followed))
        if (!collections.has(id)) {
          const entry = { entries: [] as ActivityView[], off: () => undefined as void };
          collections.set(id, entry);
          entry.off = this.#collections.feed(id, (entries) => {
            entry.entries = entries;
            send();
          });
        }
      void this.#attachStreams(doc, streams, send, () => active);
    });
    send();
    return () => {
      active = false;
      offHome();
      for (const stream of streams.values()) stream.off();
      for (const collection of collections.values()) collection.off();
      streams.clear();
      collections.clear();
    };
  }

  async #attachStreams(
    doc: HomeDoc | undefined,
    streams: Map<string, { user: DidKey; handle: DocHandle<ActivityDoc>; off: () => void }>,
    send: () => void,
    active: () => boolean,
  ): Promise<void> {
    const following = doc?.following ?? {};
    for (const [url, stream] of streams)
      if (!Object.values(following).some((f) => f.activity === url)) {
        stream.off();
        streams.delete(url);
      }
    const repo = await this.#repo;
    for (const [user, { activity }] of Object.entries(following)) {
      if (!isDidKey(user) || !isValidAutomergeUrl(activity) || streams.has(activity)) continue;
      const handle = repo.handles[parseAutomergeUrl(activity).documentId] as
        DocHandle<ActivityDoc> | undefined;
      const found =
        handle ??
        (await repo
          .find<ActivityDoc>(activity, { allowableStates: ['ready', 'unavailable', 'requesting'] })
          .catch(() => undefined));
      if (!found || !active() || streams.has(activity)) continue;
      found.on('change', send);
      streams.set(activity, { user, handle: found, off: () => found.off('change', send) });
      // A stream that has not arrived yet shows once it does.
      void found.whenReady(['ready']).then(send);
    }
    send();
  }

  #ownHandle(): Promise<DocHandle<ActivityDoc>> {
    this.#own ??= this.#openOwn().then((handle) => {
      this.#claim(handle.documentId);
      return handle;
    });
    return this.#own;
  }

  async #openOwn(): Promise<DocHandle<ActivityDoc>> {
    const [repo, identity, home] = await Promise.all([this.#repo, this.#identity, this.#home.current()]);
    const url = home.activity;
    if (typeof url === 'string' && isValidAutomergeUrl(url)) {
      const found = await repo.find<ActivityDoc>(url).catch(() => undefined);
      if (found) return found;
    }
    const handle = repo.create<ActivityDoc>({ kind: ACTIVITY_KIND, user: identity.user, entries: [] });
    await this.#home.update((doc) => {
      doc.activity = handle.url;
    });
    return handle;
  }
}

const log = makeLogger('pinax:activity');
