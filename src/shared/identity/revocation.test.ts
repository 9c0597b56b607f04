import { describe, expect, it } from 'vitest';
import type { DeviceCertificate } from './certificates.ts';
import { certifyDevice } from './certificates.ts';
import type { DidKey } from './did-key.ts';
import { didKeyOf } from './did-key.ts';
import { signRevocation, verifyRevocation } from './revocation.ts';
import type { SigningKey } from './signatures.ts';
import { newSigningKeyPair } from './signatures.ts';

interface Key {
  did: DidKey;
  privateKey: SigningKey;
}

async function newKey(): Promise<Key> {
  const pair = await newSigningKeyPair();
  return { did: didKeyOf(pair.raw), privateKey: pair.privateKey };
}

/** A user with two devices, each certified by the root. */
async function userWithTwoDevices() {
  const user = await newKey();
  const devices = [await newKey(), await newKey()] as const;
  const chains: DeviceCertificate[][] = [];
  for (const device of devices)
    chains.push([
      await certifyDevice(user.privateKey, {
        user: user.did,
        issuer: user.did,
        device: device.did,
        label: 'device',
        issuedAt: 1_000,
      }),
    ]);
  return { user, devices, chains };
}

describe('device revocation', () => {
  it('accepts a revocation signed by another certified device of the same user', async () => {
    const { user, devices, chains } = await userWithTwoDevices();
    const statement = { user: user.did, device: devices[1].did, by: devices[0].did, revokedAt: 5_000 };
    const revocation = await signRevocation(devices[0].privateKey, statement, chains[0]!);
    expect(await verifyRevocation(revocation)).toEqual({ ok: true, statement });
    // Through JSON, as it travels.
    expect((await verifyRevocation(JSON.parse(JSON.stringify(revocation)))).ok).toBe(true);
  });

  it('refuses tampered, foreign, revoked-signer and malformed revocations', async () => {
    const { user, devices, chains } = await userWithTwoDevices();
    const other = await userWithTwoDevices();
    const statement = { user: user.did, device: devices[1].did, by: devices[0].did, revokedAt: 5_000 };
    const revocation = await signRevocation(devices[0].privateKey, statement, chains[0]!);

    const tampered = { ...revocation, statement: { ...statement, device: devices[0].did } };
    expect(await verifyRevocation(tampered)).toEqual({ ok: false, reason: 'bad signature' });
    // Another user's device cannot revoke this user's devices, even with a valid chain of its own.
    const foreign = await signRevocation(
      other.devices[0].privateKey,
      { user: user.did, device: devices[1].did, by: other.devices[0].did, revokedAt: 5_000 },
      other.chains[0]!,
    );
    expect((await verifyRevocation(foreign)).ok).toBe(false);
    // A device that is itself revoked can revoke nothing.
    const isRevoked = (u: DidKey, d: DidKey) => u === user.did && d === devices[0].did;
    expect(await verifyRevocation(revocation, { isRevoked })).toEqual({
      ok: false,
      reason: 'device revoked',
    });
    for (const junk of [null, 'x', [], { statement: {} }, { ...revocation, signature: 7 }])
      expect((await verifyRevocation(junk)).ok).toBe(false);
  });
});
