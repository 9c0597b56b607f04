// Linking makes this device act as another user. What it did as its own user until then must
// survive that, because afterwards the relay knows it only as the new user:
// - every change it made must reach the relay first. Sent later, a change naming the old user as
//   author would come from a connection of the new one, and the relay refuses it as forged;
// - collections it owns must have the new user as an owner too, granted (and signed) by the old
//   user while it still is one. Otherwise no one could ever change them again: the old user's root
//   key is forgotten once the device is linked;
// - where the old user is an editor or viewer, only an owner can let the new user in: the device
//   asks them, with a request to join signed as the new user (its new certificate chain), so the
//   owners see it among their requests and the device shows "Request sent" there.

import type { DeviceCertificate } from '../../shared/identity/certificates.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { makeLogger } from '../../shared/log.ts';
import type { CollectionAccess } from '../access/collection-access.ts';
import type { CollectionStore } from '../collection-store.ts';
import type { SyncMonitor } from '../sync-monitor.ts';
import { LinkRefused } from './device-linking.ts';

export interface LinkHandover {
  /** Before the pairing: waits until the relay has everything this device wrote, or refuses. */
  settle(): Promise<void>;
  /**
   * After the other device answered: makes `to` an owner of what `from` owns, asks to join where
   * `from` is an editor or viewer, and syncs that.
   */
  handOver(from: DidKey, to: NewUser): Promise<void>;
}

/** The user this device is being linked to, and its certificate chain to this device. */
export interface NewUser {
  user: DidKey;
  name: string;
  chain: DeviceCertificate[];
}

export function makeLinkHandover(
  collections: Pick<CollectionStore, 'list' | 'get' | 'flush'>,
  access: Pick<CollectionAccess, 'resolve' | 'setRole' | 'requestToJoin'>,
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
    async handOver(from, to) {
      const written: string[] = [];
      let granted = 0;
      let requested = 0;
      for (const { id } of await collections.list()) {
        const live = await collections.get(id);
        const members = live ? (await access.resolve(live))?.members : undefined;
        const was = members?.get(from)?.role;
        if (!live || !members || !was) continue;
        const is = members.get(to.user)?.role;
        if (was === 'owner' && is !== 'owner') {
          written.push(await access.setRole(live, to.user, 'owner', to.name));
          granted++;
        } else if (was !== 'owner' && !is) {
          try {
            written.push(await access.requestToJoin(live, to.name, { user: to.user, chain: to.chain }));
            requested++;
          } catch (error) {
            // No requests document (an older collection): an owner has to add the user themselves.
            log.warn('could not ask to join a collection as the linked user', error);
          }
        }
      }
      if (written.length === 0) return;
      log.info(`made the linked user an owner of ${granted} collection(s); asked to join ${requested}`);
      await collections.flush(written);
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
