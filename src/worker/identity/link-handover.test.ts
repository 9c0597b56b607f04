// What a device hands over when it is linked to another user, with its parts reduced to what the
// hand-over asks of them (the whole flow runs in e2e/linking.spec.ts against a real relay).

import { describe, expect, it } from 'vitest';
import type { Member, ResolvedAccess } from '../../shared/access/resolve.ts';
import type { DeviceCertificate } from '../../shared/identity/certificates.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import type { CollectionId, CollectionSummary } from '../../shared/types.ts';
import type { LiveCollection } from '../live-collection.ts';
import { LinkRefused } from './device-linking.ts';
import { makeLinkHandover } from './link-handover.ts';

const OLD = 'did:key:zOldUser' as DidKey;
const NEW = 'did:key:zNewUser' as DidKey;
const OTHER = 'did:key:zSomeoneElse' as DidKey;
const CHAIN = [{ certifies: 'this device for NEW' }] as unknown as DeviceCertificate[];
const LINKED = { user: NEW, name: 'Ada', chain: CHAIN };

describe('link hand-over', () => {
  it('makes the new user an owner of exactly the collections the old user owns, then syncs', async () => {
    const world = fakeWorld({
      mine: { [OLD]: 'owner' },
      already: { [OLD]: 'owner', [NEW]: 'owner' },
      open: undefined, // no access document: anyone may edit, nothing to grant
    });
    await makeLinkHandover(world.collections, world.access, world.monitor).handOver(OLD, LINKED);
    expect(world.granted).toEqual([['mine', NEW, 'owner', 'Ada']]);
    expect(world.requested).toEqual([]);
    expect(world.flushed).toEqual([['access:mine']]);
    expect(world.syncWaits).toBe(1);
  });

  it('asks, as the new user, to join where the old user is an editor or viewer', async () => {
    const world = fakeWorld({
      mine: { [OLD]: 'owner' },
      edits: { [OTHER]: 'owner', [OLD]: 'editor' },
      views: { [OTHER]: 'owner', [OLD]: 'viewer' },
      member: { [OTHER]: 'owner', [OLD]: 'editor', [NEW]: 'viewer' }, // in already: nothing to ask
      theirs: { [OTHER]: 'owner' }, // the old user is no member: nothing to ask
      old: { [OTHER]: 'owner', [OLD]: 'editor' }, // takes no requests (an older collection)
    });
    await makeLinkHandover(world.collections, world.access, world.monitor).handOver(OLD, LINKED);
    expect(world.granted).toEqual([['mine', NEW, 'owner', 'Ada']]);
    expect(world.requested).toEqual([
      ['edits', 'Ada', { user: NEW, chain: CHAIN }],
      ['views', 'Ada', { user: NEW, chain: CHAIN }],
    ]);
    expect(world.flushed).toEqual([['access:mine', 'requests:edits', 'requests:views']]);
    expect(world.syncWaits).toBe(1);
  });

  it('writes and waits for nothing when the old user is a member of nothing', async () => {
    const world = fakeWorld({ theirs: { [OTHER]: 'owner' }, open: undefined });
    await makeLinkHandover(world.collections, world.access, world.monitor).handOver(OLD, LINKED);
    expect(world.granted).toEqual([]);
    expect(world.requested).toEqual([]);
    expect(world.syncWaits).toBe(0);
  });

  it('refuses to link while changes have not reached the relay, before and after granting', async () => {
    const world = fakeWorld({ mine: { [OLD]: 'owner' } }, false);
    const handover = makeLinkHandover(world.collections, world.access, world.monitor);
    await expect(handover.settle()).rejects.toThrow(LinkRefused);
    await expect(handover.settle()).rejects.toThrow('have not reached the relay yet');
    await expect(handover.handOver(OLD, LINKED)).rejects.toThrow('could not hand its collections over');
    world.relayHasEverything = true;
    await expect(handover.settle()).resolves.toBeUndefined();
  });
});

type Roles = Record<string, Member['role']>;

function fakeWorld(collections: Record<string, Roles | undefined>, synced = true) {
  const world = {
    granted: [] as unknown[][],
    requested: [] as unknown[][],
    flushed: [] as unknown[][],
    syncWaits: 0,
    relayHasEverything: synced,
    collections: {
      list: () =>
        Promise.resolve(Object.keys(collections).map((id) => ({ id }) as unknown as CollectionSummary)),
      get: (id: CollectionId) => Promise.resolve({ id } as unknown as LiveCollection),
      flush: (ids: readonly string[]) => {
        world.flushed.push([...ids]);
        return Promise.resolve();
      },
    },
    access: {
      resolve: (live: LiveCollection): Promise<ResolvedAccess | undefined> => {
        const roles = collections[live.id];
        if (!roles) return Promise.resolve(undefined);
        const members = new Map<DidKey, Member>();
        for (const [user, role] of Object.entries(roles)) members.set(user as DidKey, { role, since: 0 });
        return Promise.resolve({ visibility: 'link', members, ignored: 0 });
      },
      setRole: (live: LiveCollection, member: DidKey, role: Member['role'] | null, name?: string) => {
        world.granted.push([live.id, member, role, name]);
        return Promise.resolve(`access:${live.id}` as never);
      },
      requestToJoin: (
        live: LiveCollection,
        name: string,
        as?: { user: DidKey; chain: DeviceCertificate[] },
      ) => {
        if (live.id === 'old')
          return Promise.reject(new Error('This collection does not take requests to join.'));
        world.requested.push([live.id, name, as]);
        return Promise.resolve(`requests:${live.id}` as never);
      },
    },
    monitor: Promise.resolve({
      whenSynced: () => {
        world.syncWaits++;
        return Promise.resolve(world.relayHasEverything);
      },
    }),
  };
  return world;
}
