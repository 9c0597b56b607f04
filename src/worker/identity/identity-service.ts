// This profile's identity as the UI sees it, live: who the user is (name and fingerprint) and
// which device this is. The keys themselves never leave the engine.

import type { IdentityView } from '../../shared/queries.ts';
import { fingerprintOf } from '../../shared/identity/did-key.ts';
import type { PinaxDb } from '../db.ts';
import type { DeviceIdentity } from './keystore.ts';
import { setDisplayName } from './keystore.ts';

export class IdentityService {
  readonly identity: Promise<DeviceIdentity>;
  #db: PinaxDb;
  #listeners = new Set<(view: IdentityView) => void>();
  #name = '';

  constructor(db: PinaxDb, identity: Promise<DeviceIdentity>) {
    this.#db = db;
    this.identity = identity;
    void this.view().catch(() => undefined); // primes the name; load errors are logged by the engine
  }

  async view(): Promise<IdentityView> {
    const identity = await this.identity;
    const row = await this.#db.identity.get('self');
    this.#name = row?.displayName ?? identity.displayName;
    return {
      user: identity.user,
      device: identity.device,
      fingerprint: fingerprintOf(identity.user),
      displayName: row?.displayName ?? identity.displayName,
      deviceLabel: identity.chain.at(-1)?.label ?? '',
    };
  }

  /** The display name as last read (empty until loaded or chosen): presence shows it. */
  get displayName(): string {
    return this.#name;
  }

  /** Pushes the identity now and on every change; returns the unsubscribe. */
  subscribe(push: (view: IdentityView) => void): () => void {
    this.#listeners.add(push);
    void this.view().then((view) => {
      if (this.#listeners.has(push)) push(view);
    });
    return () => this.#listeners.delete(push);
  }

  async setDisplayName(name: string): Promise<void> {
    await this.identity;
    await setDisplayName(this.#db, name);
    const view = await this.view();
    for (const listener of this.#listeners) listener(view);
  }
}
