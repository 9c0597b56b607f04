// Linking makes this device act as another user. What it did as its own user until then must
// survive that, because afterwards the relay knows it only as the new user:
// - every change it made must reach the relay first. Sent later, a change naming the old user as
//   author would come from a connection of the new one, and the relay refuses it as forged;
// - collections it owns must have the new user as an owner too, granted (and signed) by the old
//   user while it still is one. Otherwise no one could ever change them again: the old user's root
//   key is forgotten once the device is linked.

import type { DidKey } from '../../shared/identity/did-key.ts';
import { makeLogger } from '../../shared/log.ts';
import type { CollectionAccess } from '../access/collection-access.ts';
import type { CollectionStore } from '../collection-store.ts';
import type { SyncMonitor } from '../sync-monitor.ts';
import { LinkRefused } from './device-linking.ts';

export interface LinkHandover {
  /** Before the pairing: waits until the relay has everything this device wrote, or refuses. */
  settle(): Promise<void>;
  /** After the other device answered: makes `to` an owner of what `from` owns, and syncs that. */
  grantOwnership(from: DidKey, to: DidKey, name: string): Promise<void>;
}

export function makeLinkHandover(
  collections: Pick<CollectionStore, 'list' | 'get' | 'flush'>,
  access: Pick<CollectionAccess, 'resolve' | 'setRole'>,
  monitor: Promise<Pick<SyncMonitor, 'whenSynced'>>,
): LinkHandover {
  const synced = async () => (await monitor).whenSynced(SYNC_WAIT_MS);
  return {
    async settle() {
      if (!(await synced()))
        throw new LinkRefused(
          'Some changes on this device have not reached the relay yet, and linking now would keep them from your other devices. Try again once the sync status shows Synced.',
        );
    },
    async grantOwnership(from, to, name) {
      const granted: string[] = [];
      for (const { id } of await collections.list()) {
        const live = await collections.get(id);
        const members = live ? (await access.resolve(live))?.members : undefined;
        if (!live || members?.get(from)?.role !== 'owner' || members.get(to)?.role === 'owner') continue;
        granted.push(await access.setRole(live, to, 'owner', name));
      }
      if (granted.length === 0) return;
      log.info(`made the linked user an owner of ${granted.length} collection(s)`);
      await collections.flush(granted);
      if (!(await synced()))
        throw new LinkRefused(
          'This device could not hand its collections over to your account in time. Show a new code on your other device and try again.',
        );
    },
  };
}

const log = makeLogger('pinax:linking');
/** Long enough for a slow connection to send a day of edits; the person is waiting meanwhile. */
const SYNC_WAIT_MS = 20_000;
