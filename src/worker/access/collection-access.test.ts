// A device that opened a collection from a link before its access document could be had (the relay
// answered "unavailable", or no peer was there yet) must still learn its role when the document
// arrives later by sync: its members view updates by itself, with no reload. Two real Repos over a
// BroadcastChannel, fake-indexeddb for the engines' databases. And an owner cannot leave a collection
// without an owner: the entry would be ignored everywhere, so it is refused with a clear error.

import * as Automerge from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import { BroadcastChannelNetworkAdapter } from '@automerge/automerge-repo-network-broadcastchannel';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { newDevice, type TestDevice } from '../../server/testing/identity.ts';
import { waitFor } from '../../server/testing/clients.ts';
import type { MembersView } from '../../shared/queries.ts';
import type { CollectionId } from '../../shared/types.ts';
import { openPinaxDb } from '../db.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { initialCollection } from '../domain/collection-doc.ts';
import type { DeviceIdentity } from '../identity/keystore.ts';
import { LiveCollection } from '../live-collection.ts';
import { CollectionAccess } from './collection-access.ts';

const cleanups = cleanupsAfterEach();

describe('CollectionAccess', () => {
  it('tells a device its new role once the access document arrives after it was unavailable', async () => {
    const channelName = `access-${crypto.randomUUID()}`;
    const [owner, member] = await Promise.all([newDevice('owner'), newDevice('member')]);

    const ownerRepo = repoWith([new BroadcastChannelNetworkAdapter({ channelName })]);
    const ownerAccess = accessFor(ownerRepo, owner);
    const ownerLive = liveOf(ownerRepo.create<CollectionDoc>(initialCollection('Shared', '', 1)));
    await ownerAccess.establish(ownerLive);

    // The member has the collection (as if it came from a link) but nobody to ask for the rest.
    const memberRepo = repoWith([]);
    const memberLive = liveOf(
      memberRepo.import<CollectionDoc>(Automerge.save(ownerLive.handle.doc()), {
        docId: ownerLive.handle.documentId,
      }),
    );
    const views: MembersView[] = [];
    const memberAccess = accessFor(memberRepo, member);
    cleanups.push(memberAccess.subscribe(memberLive, (view) => views.push(view)));
    await waitFor(() => views.some((view) => view.guarded), 'a first members view');
    expect(views.at(-1)?.myRole).toBeNull();

    await ownerAccess.setRole(ownerLive, member.user.did, 'editor');
    // Now a peer comes: the access document arrives by sync, with the grant in it.
    memberRepo.networkSubsystem.addNetworkAdapter(new BroadcastChannelNetworkAdapter({ channelName }));
    await waitFor(() => views.at(-1)?.myRole === 'editor', 'the member to see its editor role', 10_000);
    expect(
      views
        .at(-1)
        ?.members.map((m) => m.role)
        .sort(),
    ).toEqual(['editor', 'owner']);
  }, 20_000);

  it('refuses to remove or demote the last owner, and allows it once there is another owner', async () => {
    const [owner, other] = await Promise.all([newDevice('owner'), newDevice('other')]);
    const repo = repoWith([]);
    const access = accessFor(repo, owner);
    const live = liveOf(repo.create<CollectionDoc>(initialCollection('Mine', '', 1)));
    await access.establish(live);

    await expect(access.setRole(live, owner.user.did, null)).rejects.toThrow(/always keeps an owner/);
    await expect(access.setRole(live, owner.user.did, 'editor')).rejects.toThrow(/always keeps an owner/);
    expect((await access.resolve(live))?.members.get(owner.user.did)?.role).toBe('owner');

    await access.setRole(live, other.user.did, 'owner');
    await access.setRole(live, owner.user.did, 'editor');
    const members = (await access.resolve(live))?.members;
    expect(members?.get(owner.user.did)?.role).toBe('editor');
    expect(members?.get(other.user.did)?.role).toBe('owner');
  });

  function repoWith(network: BroadcastChannelNetworkAdapter[]): Repo {
    const repo = new Repo({ network, sharePolicy: () => Promise.resolve(true) });
    cleanups.push(() => repo.shutdown());
    return repo;
  }

  function accessFor(repo: Repo, device: TestDevice): CollectionAccess {
    const db = openPinaxDb(`access-${crypto.randomUUID()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    cleanups.push(() => db.close());
    const identity: DeviceIdentity = {
      user: device.user.did,
      device: device.device.did,
      deviceKey: device.device.privateKey,
      chain: device.chain,
      displayName: '',
    };
    // No relay in this test: registrations fail to connect and stay pending, as offline.
    return new CollectionAccess(Promise.resolve(repo), Promise.resolve(identity), db, 'http://127.0.0.1:9');
  }

  function liveOf(handle: ReturnType<Repo['create']>): LiveCollection {
    const live = new LiveCollection(handle.documentId as string as CollectionId, handle as never);
    cleanups.push(() => live.dispose());
    return live;
  }
});
