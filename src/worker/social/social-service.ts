// Comments and likes in the engine (src/shared/social/reactions.ts). The social document is made
// with the collection, or on first use by an editor for collections from before it, and registered
// with the relay, which then takes changes to it from members only (viewers too). Every entry is
// signed, and only those that verify, by members, count.

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { ImmutableString, isValidAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo/slim';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { fingerprintOf } from '../../shared/identity/did-key.ts';
import type { ItemSocialView } from '../../shared/queries.ts';
import type { Reaction } from '../../shared/social/reactions.ts';
import {
  SOCIAL_KIND,
  collectionReactions,
  itemReactions,
  signReaction,
} from '../../shared/social/reactions.ts';
import type { ActivityView } from '../../shared/social/activity.ts';
import { makeLogger } from '../../shared/log.ts';
import type { CollectionAccess } from '../access/collection-access.ts';
import { AccessDenied } from '../access/collection-access.ts';
import { findItem, readString } from '../domain/collection-doc.ts';
import type { ActivityService } from './activity-service.ts';
import type { DeviceIdentity } from '../identity/keystore.ts';
import type { LiveCollection } from '../live-collection.ts';
import { findInAnyState, onArrival } from '../doc-arrival.ts';
import { authored } from '../../shared/access/authored.ts';

interface SocialDoc {
  kind: typeof SOCIAL_KIND;
  collection: string;
  entries: ImmutableString[];
}

export type ReactionInput = { kind: 'comment'; text: string } | { kind: 'like'; on: boolean };

export class SocialService {
  #repo: Promise<Repo>;
  #identity: Promise<DeviceIdentity>;
  #access: CollectionAccess;
  #displayName: () => Promise<string>;
  #verified = new Map<string, boolean>();
  #activity: ActivityService;

  constructor(
    repo: Promise<Repo>,
    identity: Promise<DeviceIdentity>,
    access: CollectionAccess,
    displayName: () => Promise<string>,
    activity: ActivityService,
  ) {
    this.#activity = activity;
    this.#repo = repo;
    this.#identity = identity;
    this.#access = access;
    this.#displayName = displayName;
  }

  /** Gives a collection just created here its social document; returns that document's id. */
  async establish(live: LiveCollection): Promise<string> {
    return (await this.#make(live)).documentId;
  }

  /** An item's comments and likes, now and on every change; returns the unsubscribe. */
  subscribe(live: LiveCollection, itemId: string, push: (view: ItemSocialView) => void): () => void {
    let active = true;
    let handle: DocHandle<SocialDoc> | undefined;
    let computing = Promise.resolve();
    const send = () => {
      computing = computing
        .then(async () => {
          if (active) push(await this.#view(live, itemId, handle));
        })
        .catch((error: unknown) => log.error('could not read comments and likes', error));
    };
    let stopWaiting = (): void => undefined;
    // The collection names its social document once; that document may arrive later still (the
    // relay had not got it yet when asked): attach when it does.
    const offCollection = live.subscribe(() => {
      if (!handle) void attach();
    });
    const attach = async () => {
      const found = await findInAnyState<SocialDoc>(await this.#repo, readString(live.handle.doc().social));
      if (!active || !found || handle) return;
      stopWaiting();
      stopWaiting = onArrival(found, () => {
        if (!active || handle) return;
        handle = found;
        handle.on('change', send);
        send();
      });
    };
    // Who may react, and whose reactions count, follow the members: granted access while the item
    // is open, a reader can react at once.
    const offAccess = this.#access.watch(live, send);
    send();
    void attach();
    return () => {
      active = false;
      offCollection();
      offAccess();
      stopWaiting();
      handle?.off('change', send);
    };
  }

  /**
   * A collection's comments and likes as Feed entries, now and on every change (for someone who
   * follows the collection); returns the unsubscribe.
   */
  subscribeCollection(live: LiveCollection, push: (entries: ActivityView[]) => void): () => void {
    let active = true;
    let handle: DocHandle<SocialDoc> | undefined;
    let computing = Promise.resolve();
    const send = () => {
      computing = computing
        .then(async () => {
          const access = await this.#access.resolve(live);
          const doc = handle?.isReady() ? handle.doc() : undefined;
          const entries = doc?.kind === SOCIAL_KIND && doc.collection === live.id ? doc.entries : [];
          const isMember = (user: DidKey) => !access || access.members.has(user);
          const reactions = await collectionReactions(live.id, entries, isMember, this.#verified);
          const collection = live.handle.doc();
          const views = reactions.map((reaction): ActivityView => {
            const title = readString(findItem(collection, reaction.item)?.title);
            const common = { id: reaction.id, user: reaction.user, name: reaction.name, at: reaction.at };
            return reaction.kind === 'comment'
              ? {
                  verb: 'comment',
                  collection: live.id,
                  item: reaction.item,
                  title,
                  text: reaction.text,
                  ...common,
                  verified: reaction.verified,
                }
              : {
                  verb: 'like',
                  collection: live.id,
                  item: reaction.item,
                  title,
                  ...common,
                  verified: reaction.verified,
                };
          });
          if (active) push(views);
        })
        .catch((error: unknown) => log.error('could not read a followed collection', error));
    };
    let stopWaiting = (): void => undefined;
    void this.#repo
      .then((repo) => findInAnyState<SocialDoc>(repo, readString(live.handle.doc().social)))
      .then((found) => {
        if (!active || !found) return;
        stopWaiting = onArrival(found, () => {
          if (!active) return;
          handle = found;
          handle.on('change', send);
          send();
        });
      });
    // Whose entries count follows the members (see subscribe).
    const offAccess = this.#access.watch(live, send);
    return () => {
      active = false;
      offAccess();
      stopWaiting();
      handle?.off('change', send);
    };
  }

  /** Adds this user's signed comment or like; returns the documents to flush. */
  async react(live: LiveCollection, itemId: string, input: ReactionInput): Promise<string[]> {
    const [identity, access] = await Promise.all([this.#identity, this.#access.resolve(live)]);
    if (access && !access.members.has(identity.user))
      throw new AccessDenied('Only members can comment and like. Ask an owner to add you.');
    const touched: string[] = [];
    let handle = await this.#handle(live);
    if (!handle) {
      handle = await this.#create(live);
      touched.push(live.id);
    }
    const at = Date.now();
    const activity = await this.#activity.ownUrl();
    const base = { collection: live.id, item: itemId, user: identity.user, at, activity };
    const reaction: Reaction =
      input.kind === 'comment'
        ? {
            kind: 'comment',
            id: crypto.randomUUID(),
            name: await this.#displayName(),
            text: input.text,
            ...base,
          }
        : { kind: 'like', on: input.on, ...base };
    const signed = await signReaction(identity.deviceKey, identity.device, identity.chain, reaction);
    handle.change((doc) => {
      doc.entries.push(new ImmutableString(JSON.stringify(signed)));
    });
    touched.push(handle.documentId);
    // Also in this user's activity stream, for their followers (unliking is not news).
    const title = readString(findItem(live.handle.doc(), itemId)?.title);
    if (input.kind === 'comment')
      touched.push(
        ...(await this.#activity.record({
          verb: 'comment',
          collection: live.id,
          item: itemId,
          title,
          text: input.text,
        })),
      );
    else if (input.on)
      touched.push(
        ...(await this.#activity.record({ verb: 'like', collection: live.id, item: itemId, title })),
      );
    return touched;
  }

  async #view(
    live: LiveCollection,
    itemId: string,
    handle: DocHandle<SocialDoc> | undefined,
  ): Promise<ItemSocialView> {
    const [identity, access] = await Promise.all([this.#identity, this.#access.resolve(live)]);
    const isMember = (user: DidKey) => !access || access.members.has(user);
    const doc = handle?.isReady() ? handle.doc() : undefined;
    const entries = doc?.kind === SOCIAL_KIND && doc.collection === live.id ? doc.entries : [];
    const reactions = await itemReactions(live.id, itemId, entries, isMember, this.#verified);
    return {
      self: identity.user,
      canReact: isMember(identity.user),
      likes: reactions.likes.length,
      likedByMe: reactions.likes.includes(identity.user),
      comments: reactions.comments.map((comment) => ({
        ...comment,
        fingerprint: fingerprintOf(comment.user),
      })),
      unverified: reactions.unverified,
    };
  }

  /** The collection's social document, if it names one that has arrived. */
  async #handle(live: LiveCollection): Promise<DocHandle<SocialDoc> | undefined> {
    const url = readString(live.handle.doc().social);
    if (!isValidAutomergeUrl(url)) return undefined;
    const repo = await this.#repo;
    const handle = await repo
      .find<SocialDoc>(parseAutomergeUrl(url).documentId, { allowableStates: ['ready', 'unavailable'] })
      .catch(() => undefined);
    return handle?.isReady() ? handle : undefined;
  }

  /** Makes the social document of a collection from before it (only editors can name it there). */
  async #create(live: LiveCollection): Promise<DocHandle<SocialDoc>> {
    await this.#access.requireEditor(live).catch(() => {
      throw new AccessDenied('Comments are not open on this collection yet: an editor must comment first.');
    });
    return this.#make(live);
  }

  async #make(live: LiveCollection): Promise<DocHandle<SocialDoc>> {
    const [repo, identity] = await Promise.all([this.#repo, this.#identity]);
    const handle = repo.create<SocialDoc>({ kind: SOCIAL_KIND, collection: live.id, entries: [] });
    live.handle.change((doc) => {
      doc.social = new ImmutableString(handle.url);
    }, authored(identity.user));
    // Only members may write it: the relay refuses everyone else's changes once it is registered.
    void this.#access.register({ collectionId: live.id, socialId: handle.documentId });
    return handle;
  }
}

const log = makeLogger('pinax:social');
