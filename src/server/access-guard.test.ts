// Access control at the relay, against a real relay process and real clients: owner A, member B,
// a stranger with a key, and a hostile stock automerge-repo client with none. Writes from those
// without the role never reach anyone; members-only collections are not served to non-members;
// /metrics counts the refusals; a refused writer does not start a message storm.

import { describe, expect, it } from 'vitest';
import * as Automerge from '@automerge/automerge';
import { ImmutableString, type AutomergeUrl, type DocHandle, type Repo } from '@automerge/automerge-repo';
import { ACCESS_KIND } from '../shared/access/access-doc.ts';
import { relayForFile } from './testing/relay-for-file.ts';
import { connectClient, sleep, waitFor, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice, type DeviceClient } from './testing/device-client.ts';
import { newDevice, newDeviceOf, type SessionDevice, type TestDevice } from './testing/identity.ts';
import { ACTIVITY_KIND } from '../shared/social/activity.ts';
import { HOME_KIND } from '../shared/personal-docs.ts';
import { signAccessEntry, type AccessChange, type SignedAccessEntry } from '../shared/access/entries.ts';
import { authored, createAuthored } from '../shared/access/authored.ts';

interface Collection {
  creator: ImmutableString;
  notes: string[];
  items?: Record<string, { title: ImmutableString; author?: ImmutableString | string; tags?: object }>;
}
interface Body {
  text: string;
}
interface Access {
  kind: string;
  collection: string;
  creator: string;
  entries: ImmutableString[];
}

const repos: Repo[] = [];
const relay = relayForFile(() => Promise.all(repos.map((r) => r.shutdown())));

async function member(device: TestDevice): Promise<DeviceClient> {
  const m = await connectDevice(relay(), { device });
  repos.push(m.repo);
  return m;
}

async function stranger(): Promise<Repo> {
  const repo = await connectClient(relay().syncUrl);
  repos.push(repo);
  return repo;
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${relay().url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`no metric ${name}`);
  return Number(match[1]);
}

/** Owner A's collection and access document, registered with the relay and synced to it. */
async function ownedCollection(owner: DeviceClient) {
  const collection = createAuthored<Collection>(
    owner.repo,
    { creator: new ImmutableString(owner.device.user.did), notes: [] },
    owner.device.user.did,
  );
  const access = owner.repo.create<Access>({
    kind: ACCESS_KIND,
    collection: collection.documentId,
    creator: owner.device.user.did,
    entries: [],
  });
  expect(
    await register(relay().url, owner.cookie, {
      collectionId: collection.documentId,
      accessId: access.documentId,
    }),
  ).toBe(200);
  collection.change((d) => d.notes.push('by the owner'), authored(owner.device.user.did));
  await waitForRelayToHave(owner.repo, collection);
  await waitForRelayToHave(owner.repo, access);
  return { collection, access };
}

/** Owner A's collection with B as an editor, B's copy of it, and the relay's refusals so far. */
async function collectionWithEditor() {
  const owner = await member(await newDevice());
  const { collection, access } = await ownedCollection(owner);
  const { device: bDevice, client: b } = await grantedMember(owner, access, collection.documentId, 'editor');
  const bCopy = await b.repo.find<Collection>(collection.url);
  const refusedBefore = await metric('pinax_relay_refused_changes_total');
  return { owner, collection, access, bDevice, bCopy, refusedBefore };
}

/** A new device whose user the owner grants `role` in the collection, connected to the relay. */
async function grantedMember(
  owner: DeviceClient,
  access: DocHandle<Access>,
  collectionId: string,
  role: 'editor' | 'viewer',
) {
  const device = await newDevice();
  await grant(owner, access, collectionId, { type: 'role', member: device.user.did, role });
  return { device, client: await member(device) };
}

/** Registers a body or social document of the owner's collection, once the relay holds it. */
async function registerPart(
  owner: DeviceClient,
  collectionId: string,
  part: { bodyId: string } | { socialId: string },
  handle: DocHandle<unknown>,
): Promise<void> {
  expect(await register(relay().url, owner.cookie, { collectionId, ...part })).toBe(200);
  await waitForRelayToHave(owner.repo, handle);
}

async function grant(
  owner: DeviceClient,
  access: DocHandle<Access>,
  collectionId: string,
  change: Parameters<typeof accessEntry>[2],
) {
  const text = await accessEntry(owner.device, collectionId, change);
  access.change((d) => d.entries.push(new ImmutableString(text)));
  await waitForRelayToHave(owner.repo, access);
}

describe('the relay access guard', () => {
  it('keeps a hostile client without a key from writing the collection or its access document', async () => {
    const owner = await member(await newDevice());
    const { collection, access } = await ownedCollection(owner);
    const refusedBefore = await metric('pinax_relay_refused_changes_total');

    const hostile = await stranger();
    const copy = await hostile.find<Collection>(collection.url); // link-visible: it may read
    expect(copy.doc().notes).toEqual(['by the owner']);
    copy.change((d) => d.notes.push('vandalism'));
    const accessCopy = await hostile.find<Access>(access.url);
    accessCopy.change((d) => d.entries.push(new ImmutableString('{"forged":true}')));
    await sleep(1500);

    expect(collection.doc().notes).toEqual(['by the owner']);
    expect(access.doc().entries).toHaveLength(0);
    expect(await metric('pinax_relay_refused_changes_total')).toBeGreaterThanOrEqual(refusedBefore + 2);

    // No storm: once refused, the hostile client and the relay go quiet.
    const before = await metric('pinax_relay_messages_received_total');
    await sleep(2000);
    expect((await metric('pinax_relay_messages_received_total')) - before).toBeLessThan(20);

    // A reader who arrives later gets the collection without the refused change.
    const late = await stranger();
    expect((await late.find<Collection>(collection.url)).doc().notes).toEqual(['by the owner']);
  });

  it('lets an anonymous client read link-visible collections and the directory, and nothing else', async () => {
    const owner = await member(await newDevice());
    const { collection } = await ownedCollection(owner);
    // An unregistered document, as a home or activity document is.
    const personal = owner.repo.create<{ notes: string[] }>({ notes: ['mine'] });
    await waitForRelayToHave(owner.repo, personal);
    const refusedBefore = await metric('pinax_relay_refused_changes_total');
    const anonymous = await stranger();

    expect((await anonymous.find<Collection>(collection.url)).doc().notes).toEqual(['by the owner']);
    await expect(anonymous.find(personal.url)).rejects.toThrow(/unavailable/);

    // Nothing it writes is kept: not a document of its own, not the public directory.
    const planted = anonymous.create<{ notes: string[] }>({ notes: ['planted'] });
    const { url: directoryUrl } = (await (await fetch(`${relay().url}/directory`)).json()) as {
      url: AutomergeUrl;
    };
    const directory = await anonymous.find<{ entries: Record<string, unknown> }>(directoryUrl);
    directory.change((d) => void (d.entries['vandal'] = { name: 'spam' }));
    await sleep(1500);
    await expect(owner.repo.find(planted.url)).rejects.toThrow(/unavailable/);
    const ownersDirectory = await owner.repo.find<{ entries: Record<string, unknown> }>(directoryUrl);
    await sleep(500);
    expect(ownersDirectory.doc().entries['vandal']).toBeUndefined();
    // The directory change is refused; the planted document is never applied at all (the relay
    // answers "unavailable" to a peer that may not read it).
    expect(await metric('pinax_relay_refused_changes_total')).toBeGreaterThanOrEqual(refusedBefore + 1);

    // Over HTTP too: an unregistered document's snapshot needs a session.
    const snapshot = (cookie?: string) =>
      fetch(new URL('/snapshot', relay().url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ documentId: personal.documentId }),
      }).then((res) => res.status);
    expect(await snapshot()).toBe(404);
    expect(await snapshot(owner.cookie)).toBe(200);
  });

  it('lets only its owner’s devices write a personal document, and only them read a home', async () => {
    const ownerDevice = await newDevice();
    const owner = await member(ownerDevice);
    const stream = owner.repo.create<{ kind: string; user: string; entries: string[] }>({
      kind: ACTIVITY_KIND,
      user: ownerDevice.user.did,
      entries: ['first'],
    });
    const home = owner.repo.create<{ kind: string; collections: Record<string, unknown> }>({
      kind: HOME_KIND,
      collections: {},
    });
    expect(
      await register(relay().url, owner.cookie, { personalId: stream.documentId, kind: 'activity' }),
    ).toBe(200);
    expect(await register(relay().url, owner.cookie, { personalId: home.documentId, kind: 'home' })).toBe(
      200,
    );
    await waitForRelayToHave(owner.repo, stream);
    await waitForRelayToHave(owner.repo, home);

    // Someone else with a key: reads the stream (followers do), writes nothing, never sees the home.
    const other = await member(await newDevice());
    expect(
      await register(relay().url, other.cookie, { personalId: stream.documentId, kind: 'activity' }),
    ).toBe(403);
    const copy = await other.repo.find<{ entries: string[] }>(stream.url);
    expect(copy.doc().entries).toEqual(['first']);
    copy.change((d) => void d.entries.splice(0, 1, 'vandalised'));
    await expect(other.repo.find(home.url)).rejects.toThrow(/unavailable/);
    await sleep(1500);
    expect(stream.doc().entries).toEqual(['first']);

    // The owner's second device writes both.
    const second = await member(await newDeviceOf(ownerDevice));
    const ownCopy = await second.repo.find<{ entries: string[] }>(stream.url);
    ownCopy.change((d) => void d.entries.push('from the second device'));
    const homeCopy = await second.repo.find<{ collections: Record<string, unknown> }>(home.url);
    homeCopy.change((d) => void (d.collections['x'] = { joinedAt: 1 }));
    await waitFor(
      () =>
        stream.doc().entries.includes('from the second device') && home.doc().collections['x'] !== undefined,
      'the owner to see its second device’s writes',
    );
  });

  it('applies an editor’s changes, refuses a viewer’s, and refuses a removed editor’s later ones', async () => {
    const owner = await member(await newDevice());
    const { collection, access } = await ownedCollection(owner);
    const [bDevice, cDevice] = await Promise.all([newDevice(), newDevice()]);
    await grant(owner, access, collection.documentId, {
      type: 'role',
      member: bDevice.user.did,
      role: 'editor',
    });
    await grant(owner, access, collection.documentId, {
      type: 'role',
      member: cDevice.user.did,
      role: 'viewer',
    });

    const b = await member(bDevice);
    const bCopy = await b.repo.find<Collection>(collection.url);
    bCopy.change((d) => d.notes.push('by editor B'), authored(bDevice.user.did));
    await waitFor(() => collection.doc().notes.includes('by editor B'), 'the owner to see B’s edit');

    const c = await member(cDevice);
    const cCopy = await c.repo.find<Collection>(collection.url);
    cCopy.change((d) => d.notes.push('by viewer C'), authored(cDevice.user.did));
    await sleep(1500);
    expect(collection.doc().notes).not.toContain('by viewer C');

    await grant(owner, access, collection.documentId, { type: 'role', member: bDevice.user.did, role: null });
    await sleep(300);
    bCopy.change((d) => d.notes.push('after removal'), authored(bDevice.user.did));
    await sleep(1500);
    expect(collection.doc().notes).not.toContain('after removal');
    expect(collection.doc().notes).toContain('by editor B'); // what B wrote before stays
  });

  it('applies an editor’s change only when it names that editor as the author; nothing built on a forgery passes', async () => {
    const { owner, collection, access, bDevice, bCopy, refusedBefore } = await collectionWithEditor();

    // Honest: B names itself; a tag named "author" is no author at all.
    bCopy.change((d) => {
      d.items = {
        honest: {
          title: new ImmutableString('by B'),
          author: new ImmutableString(bDevice.user.did),
          tags: { author: true },
        },
      };
    }, authored(bDevice.user.did));
    await waitFor(() => collection.doc().items?.['honest'] !== undefined, 'the owner to see B’s honest item');

    // Forged: B names the owner, then keeps editing on top of that.
    bCopy.change((d) => {
      d.items!['forged'] = {
        title: new ImmutableString('by A?'),
        author: new ImmutableString(owner.device.user.did),
      };
    }, authored(bDevice.user.did));
    bCopy.change((d) => void d.notes.push('after the forgery'), authored(bDevice.user.did));
    // And as collaborative text, which could be spliced into anyone's name.
    const cDevice = await newDevice();
    await grant(owner, access, collection.documentId, {
      type: 'role',
      member: cDevice.user.did,
      role: 'editor',
    });
    const c = await member(cDevice);
    const cCopy = await c.repo.find<Collection>(collection.url);
    await waitFor(() => cCopy.doc().items?.['honest'] !== undefined, 'C to have B’s item');
    cCopy.change((d) => void (d.items!['honest']!.author = cDevice.user.did), authored(cDevice.user.did));
    await sleep(1500);
    expect(collection.doc().items?.['forged']).toBeUndefined();
    expect(collection.doc().notes).not.toContain('after the forgery');
    expect(String(collection.doc().items?.['honest']?.author)).toBe(bDevice.user.did);
    expect(await metric('pinax_relay_refused_changes_total')).toBeGreaterThanOrEqual(refusedBefore + 3);
  });

  it('applies an editor’s changes only when their message names that editor: not no one, not someone else', async () => {
    const { owner, collection, bDevice, bCopy, refusedBefore } = await collectionWithEditor();

    bCopy.change((d) => void d.notes.push('claimed by B'), authored(bDevice.user.did));
    await waitFor(() => collection.doc().notes.includes('claimed by B'), 'the owner to see B’s claimed edit');

    const unclaimed = await member(bDevice); // a second connection of B: its own refusals, its own history
    const unclaimedCopy = await unclaimed.repo.find<Collection>(collection.url);
    await waitFor(() => unclaimedCopy.doc().notes.includes('claimed by B'), 'B’s second copy to catch up');
    unclaimedCopy.change((d) => void d.notes.push('names no one'));
    const forging = await member(bDevice);
    const forgingCopy = await forging.repo.find<Collection>(collection.url);
    await waitFor(() => forgingCopy.doc().notes.includes('claimed by B'), 'B’s third copy to catch up');
    forgingCopy.change((d) => void d.notes.push('names the owner'), authored(owner.device.user.did));
    await sleep(1500);
    expect(collection.doc().notes).not.toContain('names no one');
    expect(collection.doc().notes).not.toContain('names the owner');
    expect(await metric('pinax_relay_refused_changes_total')).toBeGreaterThanOrEqual(refusedBefore + 2);
  });

  it('applies changes to a body document as to its collection: its seed, then only claimed edits by editors', async () => {
    const ownerDevice = await newDevice();
    const owner = await member(ownerDevice);
    const { collection, access } = await ownedCollection(owner);
    // As src/worker/bodies.ts seeds one: a fixed actor, time 0, no message, so every device makes
    // it byte for byte the same.
    const seed = Automerge.change(Automerge.init<Body>({ actor: 'b0d7' }), { time: 0 }, (d) => {
      d.text = 'seed';
    });
    const body = owner.repo.import<Body>(Automerge.save(seed));
    await registerPart(owner, collection.documentId, { bodyId: body.documentId }, body);
    const { device: cDevice, client: viewer } = await grantedMember(
      owner,
      access,
      collection.documentId,
      'viewer',
    );
    const viewerCopy = await viewer.repo.find<Body>(body.url);
    expect(viewerCopy.doc().text).toBe('seed'); // the seed was stored although it names no one
    viewerCopy.change((d) => void (d.text = 'by a viewer'), authored(cDevice.user.did));
    body.change((d) => void (d.text = 'seed, then no claim'));
    await sleep(1500);
    const fresh = await member(await newDevice()); // link-visible: it may read what the relay holds
    const relayCopy = await fresh.repo.find<Body>(body.url);
    await sleep(300);
    expect(relayCopy.doc().text).toBe('seed');

    const second = await member(ownerDevice); // the owner again, on a new connection, claiming
    const secondCopy = await second.repo.find<Body>(body.url);
    await waitFor(() => secondCopy.doc().text === 'seed', 'the second connection to load the body');
    secondCopy.change((d) => void (d.text = 'claimed by the owner'), authored(owner.device.user.did));
    await waitFor(() => relayCopy.doc().text === 'claimed by the owner', 'the claimed edit to arrive');
  });

  it('lets every member, viewers too, write the social document, and no one else', async () => {
    const owner = await member(await newDevice());
    const { collection, access } = await ownedCollection(owner);
    const social = owner.repo.create<{ entries: string[] }>({ entries: [] });
    await registerPart(owner, collection.documentId, { socialId: social.documentId }, social);
    const { client: viewer } = await grantedMember(owner, access, collection.documentId, 'viewer');
    (await viewer.repo.find<{ entries: string[] }>(social.url)).change((d) => void d.entries.push('viewer'));
    await waitFor(() => social.doc().entries.includes('viewer'), 'the owner to see the viewer’s comment');

    const stranger = await member(await newDevice());
    expect(
      await register(relay().url, stranger.cookie, {
        collectionId: collection.documentId,
        socialId: social.documentId,
      }),
    ).toBe(403);
    (await stranger.repo.find<{ entries: string[] }>(social.url)).change((d) => void d.entries.splice(0, 1));
    await sleep(1500);
    expect(social.doc().entries).toEqual(['viewer']);
  });

  it('does not serve a members-only collection to non-members at all', async () => {
    const owner = await member(await newDevice());
    const { collection, access } = await ownedCollection(owner);
    const bDevice = await newDevice();
    await grant(owner, access, collection.documentId, {
      type: 'role',
      member: bDevice.user.did,
      role: 'viewer',
    });
    await grant(owner, access, collection.documentId, { type: 'visibility', visibility: 'members' });

    await expect((await stranger()).find(collection.url)).rejects.toThrow(/unavailable/);
    const keyed = await member(await newDevice()); // a key, but not a member
    await expect(keyed.repo.find(collection.url)).rejects.toThrow(/unavailable/);
    const b = await member(bDevice);
    expect((await b.repo.find<Collection>(collection.url)).doc().notes).toEqual(['by the owner']);

    // Nor its snapshot: a non-member's request looks exactly like one for a document not held.
    const snapshot = (cookie?: string) =>
      fetch(new URL('/snapshot', relay().url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ documentId: collection.documentId }),
      }).then((res) => res.status);
    expect(await snapshot()).toBe(404);
    expect(await snapshot(keyed.cookie)).toBe(404);
    expect(await snapshot(b.cookie)).toBe(200);
  });

  it('lets only the creator register a collection the relay holds, and only once', async () => {
    const owner = await member(await newDevice());
    const { collection, access } = await ownedCollection(owner);
    const other = await member(await newDevice());
    expect(
      await register(relay().url, other.cookie, {
        collectionId: collection.documentId,
        accessId: access.documentId,
      }),
    ).toBe(403);
    expect(
      await register(relay().url, undefined, {
        collectionId: collection.documentId,
        accessId: access.documentId,
      }),
    ).toBe(401);
    const elsewhere = owner.repo.create<Access>({
      kind: ACCESS_KIND,
      collection: 'x',
      creator: 'y',
      entries: [],
    });
    expect(
      await register(relay().url, owner.cookie, {
        collectionId: collection.documentId,
        accessId: elsewhere.documentId,
      }),
    ).toBe(409);
  });
});

// ---- helpers ----

/** An access entry signed by `author`'s device, as the JSON text stored in the access document. */
async function accessEntry(
  author: SessionDevice,
  collection: string,
  change: AccessChange,
  at = Date.now(),
): Promise<string> {
  const signed: SignedAccessEntry = await signAccessEntry(
    author.device.privateKey,
    author.device.did,
    author.chain,
    {
      collection,
      change,
      by: author.user.did,
      at,
    },
  );
  return JSON.stringify(signed);
}

async function register(baseUrl: string, cookie: string | undefined, body: unknown): Promise<number> {
  const res = await fetch(new URL('/access/register', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}
