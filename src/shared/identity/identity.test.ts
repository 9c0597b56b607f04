import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceCertificate } from './certificates.ts';
import { MAX_CHAIN_LENGTH, certifyDevice, verifyChain } from './certificates.ts';
import type { DidKey } from './did-key.ts';
import { didKeyOf, fingerprintOf, isDidKey, publicKeyOf } from './did-key.ts';
import type { SigningKey } from './signatures.ts';
import { canonicalJson, newSigningKeyPair, signStatement, verifyStatement } from './signatures.ts';

interface Key {
  did: DidKey;
  privateKey: SigningKey;
}

async function newKey(): Promise<Key> {
  const pair = await newSigningKeyPair();
  return { did: didKeyOf(pair.raw), privateKey: pair.privateKey };
}

/** root -> d1 -> d2 ... : each device certified by the previous one. */
async function chainOf(length: number): Promise<{ user: Key; devices: Key[]; chain: DeviceCertificate[] }> {
  const user = await newKey();
  const devices: Key[] = [];
  const chain: DeviceCertificate[] = [];
  let issuer = user;
  for (let i = 0; i < length; i++) {
    const device = await newKey();
    chain.push(
      await certifyDevice(issuer.privateKey, {
        user: user.did,
        issuer: issuer.did,
        device: device.did,
        label: `d${i}`,
        issuedAt: 1_000 + i,
      }),
    );
    devices.push(device);
    issuer = device;
  }
  return { user, devices, chain };
}

describe('did:key', () => {
  it('round-trips a 32-byte key and refuses anything else', () => {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const did = didKeyOf(raw);
    expect(did).toMatch(/^did:key:z6Mk/); // the well-known prefix of Ed25519 did:keys
    expect(publicKeyOf(did)).toEqual(raw);
    for (const junk of [
      undefined,
      42,
      'did:key:',
      'did:key:z',
      `${did}0`,
      did.replace('z6Mk', 'z6Ls'),
      'did:web:x',
    ])
      expect(isDidKey(junk)).toBe(false);
    expect(fingerprintOf(did)).toMatch(/^.{4}·.{4}$/);
  });
});

describe('signed statements', () => {
  it('canonical JSON ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });

  it('verify only what was signed, for the purpose it was signed for, by the key that signed it', async () => {
    const key = await newKey();
    const other = await newKey();
    const statement = { nonce: 'n', peerId: 'p' };
    const signature = await signStatement(key.privateKey, 'pinax/relay-session/v1', statement);
    expect(
      await verifyStatement(key.did, 'pinax/relay-session/v1', { peerId: 'p', nonce: 'n' }, signature),
    ).toBe(true);
    expect(await verifyStatement(key.did, 'pinax/device-certificate/v1', statement, signature)).toBe(false);
    expect(await verifyStatement(other.did, 'pinax/relay-session/v1', statement, signature)).toBe(false);
    expect(
      await verifyStatement(key.did, 'pinax/relay-session/v1', { ...statement, nonce: 'm' }, signature),
    ).toBe(false);
    for (const junk of [undefined, '', 'not base64!', 'AAAA'])
      expect(await verifyStatement(key.did, 'pinax/relay-session/v1', statement, junk)).toBe(false);
  });
});

describe('certificate chains', () => {
  it('accept root -> device -> device ... for the last device, and nothing else', async () => {
    const { user, devices, chain } = await chainOf(3);
    expect(await verifyChain(chain, devices[2]!.did)).toEqual({ ok: true, user: user.did });
    expect(await verifyChain(chain.slice(0, 2), devices[1]!.did)).toEqual({ ok: true, user: user.did });
    expect((await verifyChain(chain, devices[1]!.did)).ok).toBe(false);
    expect((await verifyChain([chain[1]!, chain[0]!, chain[2]!], devices[2]!.did)).ok).toBe(false);
    expect((await verifyChain(chain.slice(1), devices[2]!.did)).ok).toBe(false);
    expect(await verifyChain(chain, devices[2]!.did, { isRevoked: (_, d) => d === devices[1]!.did })).toEqual(
      {
        ok: false,
        reason: 'device revoked',
      },
    );
    expect(await verifyChain([], devices[0]!.did)).toEqual({ ok: false, reason: 'no certificate chain' });
    expect((await verifyChain(Array(MAX_CHAIN_LENGTH + 1).fill(chain[0]), devices[0]!.did)).ok).toBe(false);
  });

  it('reject any change to any field of any certificate (property)', async () => {
    const { devices, chain } = await chainOf(2);
    const target = devices[1]!.did;
    const fields = ['user', 'issuer', 'device', 'label', 'issuedAt', 'signature', 'v', 'extra'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: chain.length - 1 }),
        fc.constantFrom(...fields),
        fc.oneof(fc.string(), fc.integer(), fc.constant(devices[0]!.did)),
        async (index, field, value) => {
          const original = (chain[index] as unknown as Record<string, unknown>)[field];
          fc.pre(original !== value);
          const tampered = chain.map((c, i) => (i === index ? { ...c, [field]: value } : c));
          expect((await verifyChain(tampered, target)).ok).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});
