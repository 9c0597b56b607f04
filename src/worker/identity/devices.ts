// The user's devices, as the home document lists them (every device adds itself; the device that
// links another adds it too), and revoking one: this device signs the revocation, the relay records
// it and cuts the revoked device off, and the home document marks it for the user's other devices.

import type { DidKey } from '../../shared/identity/did-key.ts';
import { isDidKey } from '../../shared/identity/did-key.ts';
import { REVOKE_PATH, signRevocation } from '../../shared/identity/revocation.ts';
import { makeLogger } from '../../shared/log.ts';
import type { DeviceView } from '../../shared/queries.ts';
import type { Home } from '../home.ts';
import type { DeviceIdentity } from './keystore.ts';

export class Devices {
  #identity: Promise<DeviceIdentity>;
  #home: Home;
  #httpBase: string;

  constructor(identity: Promise<DeviceIdentity>, home: Home, httpBase: string) {
    this.#identity = identity;
    this.#home = home;
    this.#httpBase = httpBase;
  }

  /** Lists this device in the home document (once); returns the home document's id. */
  async recordSelf(): Promise<string> {
    const identity = await this.#identity;
    const own = identity.chain.at(-1);
    return this.#home.recordDevice(identity.device, own?.label ?? 'This device', own?.issuedAt ?? Date.now());
  }

  /** Lists a device this one just certified. */
  recordLinked(device: DidKey, label: string): Promise<string> {
    return this.#home.recordDevice(device, label, Date.now());
  }

  /** The user's devices, this one first, then by when they were linked; returns the unsubscribe. */
  subscribe(push: (devices: DeviceView[]) => void): () => void {
    let active = true;
    let off: (() => void) | undefined;
    void this.#identity.then((identity) => {
      if (!active) return;
      off = this.#home.subscribeDevices((entries) => {
        const views = Object.entries(entries)
          .filter(([device]) => isDidKey(device))
          .map(([device, entry]) => ({
            device,
            label: String(entry.label),
            linkedAt: Number(entry.linkedAt) || 0,
            current: device === identity.device,
            revoked: entry.revokedAt !== undefined,
          }))
          .sort((a, b) => Number(b.current) - Number(a.current) || a.linkedAt - b.linkedAt);
        push(views);
      });
    });
    return () => {
      active = false;
      off?.();
    };
  }

  /**
   * Revokes one of the user's other devices. Resolves once the relay has recorded it (it is only in
   * force there); rejects with a reason to show otherwise. Returns the home document's id.
   */
  async revoke(device: DidKey): Promise<string> {
    const identity = await this.#identity;
    if (device === identity.device) throw new RevokeRefused('This is the device you are using.');
    const revocation = await signRevocation(
      identity.deviceKey,
      { user: identity.user, device, by: identity.device, revokedAt: Date.now() },
      identity.chain,
    );
    let response: Response;
    try {
      response = await fetch(new URL(REVOKE_PATH, this.#httpBase), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(revocation),
        cache: 'no-store',
      });
    } catch {
      throw new RevokeRefused(
        'Could not reach the relay, so the device is not revoked yet. Try again online.',
      );
    }
    if (!response.ok) throw new RevokeRefused((await response.text()).trim().slice(0, 200));
    log.info('revoked a device', device);
    return this.#home.markRevoked(device, revocation.statement.revokedAt);
  }
}

/** Revoking was refused; the message says why, for the user. */
export class RevokeRefused extends Error {
  override name = 'RevokeRefused';
}

const log = makeLogger('pinax:devices');
