// Members and roles of the collections on this device. Each collection made here gets an access
// document (the creator is its first owner) and is registered with the relay before anything else
// ("grant before write"); owners add signed entries to change roles and visibility; every engine
// resolves those entries with the same pure resolver as the relay, so a viewer's UI is read-only
// and a forged or unauthorised entry is ignored everywhere.

import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo/slim';
import { ImmutableString, isValidAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo/slim';
import { ACCESS_KIND, accessEntriesOf, type AccessDocShape } from '../../shared/access/access-doc.ts';
import type { AccessChange, Role, Visibility } from '../../shared/access/entries.ts';
import { signAccessEntry } from '../../shared/access/entries.ts';
import type { ResolvedAccess } from '../../shared/access/resolve.ts';
import type { JoinRequest } from '../../shared/access/join-requests.ts';
import {
  REQUESTS_KIND,
  requesterOf,
  signJoinRequest,
  verifiedRequests,
} from '../../shared/access/join-requests.ts';
import { canEditAccess, canEditContent, resolveAccess } from '../../shared/access/resolve.ts';
import type { DeviceCertificate } from '../../shared/identity/certificates.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { fingerprintOf } from '../../shared/identity/did-key.ts';
import { makeLogger } from '../../shared/log.ts';
import type { MembersView } from '../../shared/queries.ts';
import type { PinaxDb } from '../db.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { readString } from '../domain/collection-doc.ts';
import type { DeviceIdentity } from '../identity/keystore.ts';
import type { LiveCollection } from '../live-collection.ts';
import { ANY_STATE, findInAnyState, onArrival } from '../doc-arrival.ts';
import { headsOf } from '../doc-heads.ts';
import { authored } from '../../shared/access/authored.ts';
import { RelayRegistrations, type Registration } from './relay-registrations.ts';

/** What resolving a collection's rules needs of it: its id and its document. */
export type CollectionRef = Pick<LiveCollection, 'id' | 'handle'>;

interface RequestsDocShape {
  kind: typeof REQUESTS_KIND;
  collection: string;
  requests: ImmutableString[];
}

export class AccessDenied extends Error {
  override name = 'AccessDenied';
}

export class CollectionAccess {
  #repo: Promise<Repo>;
  #identity: Promise<DeviceIdentity>;
  #signatures = new Map<string, boolean>();
  /** Resolved rules per collection, for the access document's heads they were resolved at. */
  #resolved = new Map<string, { key: string; access: Promise<ResolvedAccess> }>();
  /** Ready access document handles by URL: every command asks, so finding must be cheap. */
  #handles = new Map<string, DocHandle<AccessDocShape>>();
  #registrations: RelayRegistrations;
  #requestHandles = new Map<string, DocHandle<RequestsDocShape>>();

  constructor(repo: Promise<Repo>, identity: Promise<DeviceIdentity>, db: PinaxDb, relayBase: string) {
    this.#repo = repo;
    this.#identity = identity;
    this.#registrations = new RelayRegistrations(db, relayBase);
  }

  /** Gives a collection just created here its access document; returns that document's id. */
  async establish(live: LiveCollection): Promise<DocumentId> {
    const [repo, identity] = await Promise.all([this.#repo, this.#identity]);
    const access = repo.create<AccessDocShape>({
      kind: ACCESS_KIND,
      collection: live.id,
      creator: identity.user,
      entries: [],
    });
    // Not registered with the relay: anyone who can read the collection may ask to join it.
    const requests = repo.create<RequestsDocShape>({
      kind: REQUESTS_KIND,
      collection: live.id,
      requests: [],
    });
    live.handle.change((doc) => {
      doc.creator = new ImmutableString(identity.user);
      doc.access = new ImmutableString(access.url);
      doc.requests = new ImmutableString(requests.url);
    }, authored(identity.user));
    void this.register({ collectionId: live.id, accessId: access.documentId });
    return access.documentId;
  }

  /** Registers with the relay now, or once it can be reached (kept until then). */
  register(registration: Registration): Promise<void> {
    return this.#registrations.register(registration);
  }

  /** Sends the registrations the relay has not confirmed yet (called when it connects). */
  retryRegistrations(): Promise<void> {
    return this.#registrations.retry();
  }

  /** The resolved rules of a collection, or undefined for one from before access control. */
  async resolve(live: CollectionRef): Promise<ResolvedAccess | undefined> {
    const rules = await this.#rules(live);
    if (!rules) return undefined;
    // Every command asks: resolve again only when the access document has changed.
    const key = `${rules.creator} ${rules.handle ? headsOf(rules.handle).join(',') : ''}`;
    const hit = this.#resolved.get(live.id);
    if (hit?.key === key) return hit.access;
    const access = resolveAccess(live.id, rules.creator, accessEntriesOf(rules.handle?.doc()), {
      cache: this.#signatures,
    });
    this.#resolved.set(live.id, { key, access });
    return access;
  }

  async view(live: LiveCollection): Promise<MembersView> {
    const [identity, access] = await Promise.all([this.#identity, this.resolve(live)]);
    if (!access)
      return {
        guarded: false,
        visibility: 'link',
        myRole: null,
        members: [],
        unverified: 0,
        requests: [],
        requested: false,
      };
    const myRole = access.members.get(identity.user)?.role ?? null;
    const pending = (await this.#requests(live)).filter((r) => !access.members.has(r.user));
    return {
      guarded: true,
      visibility: access.visibility,
      myRole,
      members: [...access.members].map(([user, member]) => ({
        user,
        fingerprint: fingerprintOf(user),
        ...(member.name !== undefined ? { name: member.name } : {}),
        role: member.role,
        isYou: user === identity.user,
      })),
      unverified: access.ignored,
      requests:
        myRole === 'owner'
          ? pending.map((r) => ({ user: r.user, fingerprint: fingerprintOf(r.user), name: r.name, at: r.at }))
          : [],
      requested: pending.some((r) => r.user === identity.user),
    };
  }

  /** Pushes the members view now and whenever the rules or the access document change. */
  subscribe(live: LiveCollection, push: (view: MembersView) => void): () => void {
    let active = true;
    const send = () =>
      void this.view(live)
        .then((view) => active && push(view))
        .catch((error: unknown) => log.error('could not resolve members', error));
    const stopWatching = this.watch(live, send);
    send();
    return () => {
      active = false;
      stopWatching();
    };
  }

  /**
   * Calls `onChange` whenever who may do what in the collection may have changed: its access
   * document or its join requests changed, or arrived (however late). Anything derived from
   * membership (the members view, who may react) is computed again then. Returns the unsubscribe.
   */
  watch(live: LiveCollection, onChange: () => void): () => void {
    let active = true;
    let accessHandle: DocHandle<AccessDocShape> | undefined;
    let accessUrl = readString(live.handle.doc().access);
    let stopWaiting = (): void => undefined;
    const attach = (afterArrival = false): void =>
      void this.#rules(live).then(async (rules) => {
        if (!active || !rules) return;
        if (!rules.handle) {
          // The access document is still on its way (a collection just opened from a link; the
          // relay may even have answered "unavailable" before the owner's copy reached it):
          // resolve again when it arrives, however late.
          const pending = await this.#accessHandleInAnyState(live);
          if (!active || !pending || afterArrival) return; // arrived, and not this collection's
          stopWaiting();
          stopWaiting = onArrival(pending, () => {
            attach(true);
            onChange();
          });
          return;
        }
        if (rules.handle === accessHandle) return;
        accessHandle?.off('change', onChange);
        accessHandle = rules.handle;
        accessHandle.on('change', onChange);
        onChange();
      });
    // The collection names its access document once (just after it is made, or when it arrives).
    const offCollection = live.subscribe(() => {
      const url = readString(live.handle.doc().access);
      if (url === accessUrl) return;
      accessUrl = url;
      attach();
      onChange();
    });
    attach();
    // Join requests change the view too; like the access document, they may arrive late.
    let requestsHandle: DocHandle<RequestsDocShape> | undefined;
    let stopRequests = (): void => undefined;
    void this.#requestsHandleInAnyState(live).then((handle) => {
      if (!active || !handle) return;
      requestsHandle = handle;
      stopRequests = onArrival(handle, () => {
        handle.on('change', onChange);
        onChange();
      });
    });
    return () => {
      active = false;
      offCollection();
      stopWaiting();
      stopRequests();
      accessHandle?.off('change', onChange);
      requestsHandle?.off('change', onChange);
    };
  }

  /** Refuses (with a message for the user) when this user may not change the collection's content. */
  async requireEditor(live: LiveCollection): Promise<void> {
    const access = await this.resolve(live);
    if (!access) return;
    const identity = await this.#identity;
    if (!canEditContent(access.members.get(identity.user)?.role))
      throw new AccessDenied(
        'You can view this collection but not edit it. Ask an owner for the editor role.',
      );
  }

  async setRole(live: LiveCollection, member: DidKey, role: Role | null, name?: string): Promise<DocumentId> {
    // Every engine and the relay ignore an entry that leaves a collection without an owner (shared/
    // access/resolve.ts): written anyway, it would look done here and change nothing.
    if (role !== 'owner' && isLastOwner(await this.resolve(live), member))
      throw new AccessDenied(
        'A collection always keeps an owner: make someone else an owner before removing or changing this one.',
      );
    return this.#write(live, { type: 'role', member, role, ...(name ? { name } : {}) });
  }

  async setVisibility(live: LiveCollection, visibility: Visibility): Promise<DocumentId> {
    return this.#write(live, { type: 'visibility', visibility });
  }

  /**
   * Asks the owners to let this user in; returns the requests document to flush. `as`: the user
   * this device is being linked to, with the chain that certifies this device for it (the engine
   * still acts as the old user until it restarts).
   */
  async requestToJoin(
    live: LiveCollection,
    name: string,
    as?: { user: DidKey; chain: DeviceCertificate[] },
  ): Promise<DocumentId> {
    const [identity, handle] = await Promise.all([this.#identity, this.#requestsHandle(live)]);
    if (!handle) throw new AccessDenied('This collection does not take requests to join.');
    const signed = await signJoinRequest(identity.deviceKey, identity.device, as?.chain ?? identity.chain, {
      collection: live.id,
      user: as?.user ?? identity.user,
      name,
      at: Date.now(),
    });
    handle.change((doc) => {
      doc.requests.push(new ImmutableString(JSON.stringify(signed)));
    });
    return handle.documentId;
  }

  /** An owner turns a request down: it is removed from the requests document. */
  async denyRequest(live: LiveCollection, member: DidKey): Promise<DocumentId> {
    const [identity, access, handle] = await Promise.all([
      this.#identity,
      this.resolve(live),
      this.#requestsHandle(live),
    ]);
    if (!access || !canEditAccess(access.members.get(identity.user)?.role))
      throw new AccessDenied('Only owners can answer requests to join.');
    if (!handle) throw new AccessDenied('This collection does not take requests to join.');
    handle.change((doc) => {
      for (let i = doc.requests.length - 1; i >= 0; i--)
        if (requesterOf(doc.requests[i]) === member) doc.requests.splice(i, 1);
    });
    return handle.documentId;
  }

  /** The join requests here now: never waits for the requests document to arrive (views don't). */
  async #requests(live: LiveCollection): Promise<JoinRequest[]> {
    const handle = await this.#requestsHandleInAnyState(live);
    const doc = handle?.isReady() ? handle.doc() : undefined;
    if (!doc || doc.kind !== REQUESTS_KIND || doc.collection !== live.id || !Array.isArray(doc.requests))
      return [];
    return verifiedRequests(live.id, doc.requests);
  }

  async #requestsHandle(live: LiveCollection): Promise<DocHandle<RequestsDocShape> | undefined> {
    const url = readString(live.handle.doc().requests);
    if (!isValidAutomergeUrl(url)) return undefined;
    const cached = this.#requestHandles.get(url);
    if (cached) return cached;
    const repo = await this.#repo;
    const handle = await repo
      .find<RequestsDocShape>(parseAutomergeUrl(url).documentId)
      .catch(() => undefined);
    if (handle?.isReady()) this.#requestHandles.set(url, handle);
    return handle?.isReady() ? handle : undefined;
  }

  async #write(live: LiveCollection, change: AccessChange): Promise<DocumentId> {
    const [identity, rules, access] = await Promise.all([
      this.#identity,
      this.#rules(live),
      this.resolve(live),
    ]);
    if (!rules?.handle || !access) throw new AccessDenied('This collection has no members list.');
    if (!canEditAccess(access.members.get(identity.user)?.role))
      throw new AccessDenied('Only owners can change members and visibility.');
    const signed = await signAccessEntry(identity.deviceKey, identity.device, identity.chain, {
      collection: live.id,
      change,
      by: identity.user,
      at: Date.now(),
    });
    rules.handle.change((doc) => {
      doc.entries.push(new ImmutableString(JSON.stringify(signed)));
    }, authored(identity.user));
    return rules.handle.documentId;
  }

  /** The collection's creator and access document, as the collection names them. */
  async #rules(
    live: CollectionRef,
  ): Promise<{ creator: DidKey; handle?: DocHandle<AccessDocShape> } | undefined> {
    const doc: CollectionDoc = live.handle.doc();
    const creator = readString(doc.creator);
    const url = readString(doc.access);
    if (!creator.startsWith('did:key:') || !url) return undefined;
    if (!isValidAutomergeUrl(url)) return undefined;
    const { documentId } = parseAutomergeUrl(url);
    let handle = this.#handles.get(url);
    if (!handle) {
      const repo = await this.#repo;
      handle = await repo.find<AccessDocShape>(documentId, ANY_STATE).catch(() => undefined);
      if (handle?.isReady()) this.#handles.set(url, handle);
    }
    // The access document must name this collection and creator, or it is someone else's.
    const accessDoc = handle?.isReady() ? handle.doc() : undefined;
    const matches = accessDoc?.collection === live.id && accessDoc.creator === creator;
    return { creator: creator as DidKey, ...(handle && matches ? { handle } : {}) };
  }

  /** The collection's access document handle, whatever its state (undefined if it names none). */
  async #accessHandleInAnyState(live: LiveCollection): Promise<DocHandle<AccessDocShape> | undefined> {
    return findInAnyState<AccessDocShape>(await this.#repo, readString(live.handle.doc().access));
  }

  async #requestsHandleInAnyState(live: LiveCollection): Promise<DocHandle<RequestsDocShape> | undefined> {
    return findInAnyState<RequestsDocShape>(await this.#repo, readString(live.handle.doc().requests));
  }
}

const log = makeLogger('pinax:access');

/** Whether `member` is the only owner `access` has. */
function isLastOwner(access: ResolvedAccess | undefined, member: DidKey): boolean {
  if (access?.members.get(member)?.role !== 'owner') return false;
  let owners = 0;
  for (const { role } of access.members.values()) if (role === 'owner') owners++;
  return owners === 1;
}
