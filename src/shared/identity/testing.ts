// Test support: a user with one certified device, as a fresh profile makes on first run.

import type { DeviceCertificate } from './certificates.ts';
import { certifyDevice } from './certificates.ts';
import type { DidKey } from './did-key.ts';
import { didKeyOf } from './did-key.ts';
import type { SigningKey } from './signatures.ts';
import { newSigningKeyPair } from './signatures.ts';

export interface CertifiedDevice {
  user: DidKey;
  device: DidKey;
  deviceKey: SigningKey;
  chain: DeviceCertificate[];
}

export async function newCertifiedDevice(): Promise<CertifiedDevice> {
  const [root, device] = await Promise.all([newSigningKeyPair(), newSigningKeyPair()]);
  const user = didKeyOf(root.raw);
  const deviceDid = didKeyOf(device.raw);
  const certificate = await certifyDevice(root.privateKey, {
    user,
    issuer: user,
    device: deviceDid,
    label: 'test',
    issuedAt: 1,
  });
  return { user, device: deviceDid, deviceKey: device.privateKey, chain: [certificate] };
}
