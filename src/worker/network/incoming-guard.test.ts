// The engine's incoming guard against a relay that enforces nothing (a stock automerge-repo server,
// as an old or misconfigured relay would be), over real WebSockets on loopback: owner A's engine
// adapter runs the guard; members B and D are stock clients that name themselves as authors.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter, WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { WebSocket, WebSocketServer } from 'ws';
import { ACCESS_KIND, accessEntriesOf } from '../../shared/access/access-doc.ts';
import { authored, createAuthored } from '../../shared/access/authored.ts';
import { signAccessEntry, type AccessChange } from '../../shared/access/entries.ts';
import { mayChange } from '../../shared/access/change-guard.ts';
import { resolveAccess } from '../../shared/access/resolve.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { newCertifiedDevice, type CertifiedDevice } from '../../shared/identity/testing.ts';
import { makeLogger } from '../../shared/log.ts';
import { IncomingGuard, type ContentRules } from './incoming-guard.ts';
import { RelayClientAdapter } from './relay-client-adapter.ts';

interface Notes {
  notes: string[];
}
interface Access {
  kind: string;
  collection: string;
  creator: string;
  entries: string[];
}

const cleanups = cleanupsAfterEach();

describe('the incoming guard', () => {
  it('holds back a removed member’s changes, and what builds on them, without a message storm', async () => {
    const url = await unguardedRelay();
    const [owner, b] = await Promise.all([newCertifiedDevice(), newCertifiedDevice()]);
    const a = await guardedEngine(url, owner);
    const { collection, access } = a.ownedCollection();
    await grant(owner, access, collection.documentId, { type: 'role', member: b.user, role: 'editor' });

    const bCopy = await stockClient(url).find<Notes>(collection.url);
    bCopy.change((d) => void d.notes.push('by B, an editor'), authored(b.user));
    await waitFor(() => collection.doc().notes.includes('by B, an editor'), 'A to see B’s edit');

    await grant(owner, access, collection.documentId, { type: 'role', member: b.user, role: null });
    bCopy.change((d) => void d.notes.push('by B, removed'), authored(b.user));
    bCopy.change((d) => void d.notes.push('by B, on top'));
    await waitFor(() => a.guard.heldNow >= 2, 'both changes to be held');
    await sleep(500);
    expect(collection.doc().notes).toEqual(['by B, an editor']);

    // Quiet: the relay offers what A holds back once, not over and over.
    const before = a.received();
    await sleep(1500);
    expect(a.received() - before).toBeLessThan(10);

    // A's own edits still reach the relay, and so B.
    collection.change((d) => void d.notes.push('by A'), authored(owner.user));
    await waitFor(() => bCopy.doc().notes.includes('by A'), 'B to see A’s edit');
    expect(collection.doc().notes).not.toContain('by B, removed');
  });

  it('applies a held change once this device learns its author was granted the right', async () => {
    const url = await unguardedRelay();
    const [owner, d] = await Promise.all([newCertifiedDevice(), newCertifiedDevice()]);
    const a = await guardedEngine(url, owner);
    const { collection, access } = a.ownedCollection();

    // D's edit reaches A before the grant does (here: before A writes it).
    const dCopy = await stockClient(url).find<Notes>(collection.url);
    dCopy.change((doc) => void doc.notes.push('by D'), authored(d.user));
    await waitFor(() => a.guard.heldNow === 1, 'D’s change to be held');
    expect(collection.doc().notes).toEqual([]);

    await grant(owner, access, collection.documentId, { type: 'role', member: d.user, role: 'editor' });
    await waitFor(() => collection.doc().notes.includes('by D'), 'the held change to be applied');
    expect(a.guard.heldNow).toBe(0);
    // Applied like any change: A and D converge when they edit on.
    collection.change((doc) => void doc.notes.push('by A'), authored(owner.user));
    await waitFor(() => dCopy.doc().notes.join() === 'by D,by A', 'D to see A’s edit');
  });

  it('holds back an editor’s change to the access document: only owners change it', async () => {
    const url = await unguardedRelay();
    const [owner, b] = await Promise.all([newCertifiedDevice(), newCertifiedDevice()]);
    const a = await guardedEngine(url, owner);
    const { collection, access } = a.ownedCollection();
    await grant(owner, access, collection.documentId, { type: 'role', member: b.user, role: 'editor' });

    const client = stockClient(url);
    const bCollection = await client.find<Notes>(collection.url);
    bCollection.change((d) => void d.notes.push('content, by an editor'), authored(b.user));
    await waitFor(() => collection.doc().notes.includes('content, by an editor'), 'B’s content edit');
    const bAccess = await client.find<Access>(access.url);
    await waitFor(() => bAccess.doc().entries.length === 1, 'B to have the access document');
    bAccess.change((d) => void d.entries.push('{"by":"an editor"}'), authored(b.user));
    await waitFor(() => a.guard.heldNow === 1, 'B’s access change to be held');
    expect(access.doc().entries).toHaveLength(1);
  });

  it('lets through changes that name no author, and messages of documents it does not govern', async () => {
    const url = await unguardedRelay();
    const owner = await newCertifiedDevice();
    const a = await guardedEngine(url, owner);
    const { collection } = a.ownedCollection();
    const other = a.repo.create<Notes>({ notes: [] });
    const client = stockClient(url);
    const copy = await client.find<Notes>(collection.url);
    copy.change((d) => void d.notes.push('names no one'));
    (await client.find<Notes>(other.url)).change((d) => void d.notes.push('ungoverned'));
    await waitFor(() => collection.doc().notes.includes('names no one'), 'the unnamed change');
    await waitFor(() => other.doc().notes.includes('ungoverned'), 'the ungoverned change');
    expect(a.guard.heldTotal).toBe(0);
  });
});

// ---- helpers ----

/** A stock automerge-repo sync server on a free loopback port, checking nothing. */
async function unguardedRelay(): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const repo = new Repo({ network: [new WebSocketServerAdapter(wss as never)] });
  cleanups.push(async () => {
    await repo.shutdown();
    wss.close();
  });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

function stockClient(url: string): Repo {
  const repo = new Repo({ network: [new WebSocketClientAdapter(url, 200)] });
  cleanups.push(() => repo.shutdown());
  return repo;
}

/** A's engine, as far as the guard goes: the app's relay adapter, with the guard on its messages. */
async function guardedEngine(url: string, owner: CertifiedDevice) {
  let collection: DocHandle<Notes> | undefined;
  let access: DocHandle<Access> | undefined;
  let received = 0;
  // eslint-disable-next-line prefer-const -- bound after the adapter it filters for
  let repo: Repo;
  const rules: ContentRules = {
    readyHandle: (id) => {
      const handle = repo.handles[id as never];
      return handle?.isReady() ? handle : undefined;
    },
    governing: (id) => {
      if (!collection) return undefined;
      if (id === collection.documentId) return { collectionId: id, part: 'collection' };
      if (id === access?.documentId) return { collectionId: collection.documentId, part: 'access' };
      return undefined;
    },
    mayChange: async ({ collectionId, part }, user) => {
      const resolved = await resolveAccess(collectionId, owner.user, accessEntriesOf(access?.doc()));
      return mayChange(resolved, part, user as DidKey);
    },
  };
  const guard = new IncomingGuard(rules, { log: makeLogger('test:guard'), recheckMs: 200 });
  const adapter = new RelayClientAdapter(url, {
    minDelayMs: 200,
    createSocket: (socketUrl) => new WebSocket(socketUrl) as unknown as globalThis.WebSocket,
    filterIncoming: (message) => {
      received++;
      return guard.filter(message);
    },
  });
  repo = new Repo({
    network: [adapter],
    peerId: `engine-${crypto.randomUUID()}` as PeerId,
    sharePolicy: () => Promise.resolve(true),
  });
  cleanups.push(
    () => guard.dispose(),
    () => repo.shutdown(),
  );
  await waitFor(() => repo.peers.length > 0, 'A to join the relay');
  return {
    repo,
    guard,
    received: () => received,
    ownedCollection() {
      collection = createAuthored<Notes>(repo, { notes: [] }, owner.user);
      access = repo.create<Access>({
        kind: ACCESS_KIND,
        collection: collection.documentId,
        creator: owner.user,
        entries: [],
      });
      return { collection, access };
    },
  };
}

async function grant(
  owner: CertifiedDevice,
  access: DocHandle<Access>,
  collection: string,
  change: AccessChange,
): Promise<void> {
  const signed = await signAccessEntry(owner.deviceKey, owner.device, owner.chain, {
    collection,
    change,
    by: owner.user,
    at: Date.now(),
  });
  access.change((d) => void d.entries.push(JSON.stringify(signed)));
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
