// The profile's identity, made on first run: an Ed25519 device key and a user root key, both with
// non-extractable private halves, and the root's certificate for the device. Two engines starting
// at once on a fresh profile (the BroadcastChannel fallback) both make keys; the first to store
// them wins and the other adopts them.

import type { DeviceCertificate } from '../../shared/identity/certificates.ts';
import { certifyDevice } from '../../shared/identity/certificates.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { didKeyOf } from '../../shared/identity/did-key.ts';
import { newSigningKeyPair } from '../../shared/identity/signatures.ts';
import type { IdentityRow, PinaxDb } from '../db.ts';

export interface DeviceIdentity {
  user: DidKey;
  device: DidKey;
  deviceKey: CryptoKey;
  chain: DeviceCertificate[];
  displayName: string;
}

export async function loadOrCreateIdentity(db: PinaxDb, label: string): Promise<DeviceIdentity> {
  const stored = await db.identity.get('self');
  if (stored) return identityOf(stored);
  const made = await makeIdentity(label);
  const winner = await db.transaction('rw', db.identity, async () => {
    const raced = await db.identity.get('self');
    if (raced) return raced;
    await db.identity.put(made);
    return made;
  });
  return identityOf(winner);
}

export async function setDisplayName(db: PinaxDb, name: string): Promise<void> {
  const updated = await db.identity.update('self', { displayName: name });
  if (updated === 0) throw new Error('This device has no identity yet; try again in a moment.');
}

async function makeIdentity(label: string): Promise<IdentityRow> {
  const [userPair, devicePair] = await Promise.all([newSigningKeyPair(), newSigningKeyPair()]);
  const user = didKeyOf(userPair.raw);
  const device = didKeyOf(devicePair.raw);
  const certificate = await certifyDevice(userPair.privateKey, {
    user,
    issuer: user,
    device,
    label,
    issuedAt: Date.now(),
  });
  return {
    key: 'self',
    user,
    device,
    deviceKey: devicePair.privateKey,
    userKey: userPair.privateKey,
    chain: [certificate],
    displayName: '',
    createdAt: Date.now(),
  };
}

function identityOf(row: IdentityRow): DeviceIdentity {
  return {
    user: row.user as DidKey,
    device: row.device as DidKey,
    deviceKey: row.deviceKey,
    chain: row.chain as DeviceCertificate[],
    displayName: row.displayName,
  };
}
