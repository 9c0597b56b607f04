// did:key identifiers for Ed25519 public keys (https://w3c-ccg.github.io/did-method-key/): "did:key:z"
// + base58btc of the multicodec prefix 0xed 0x01 + the 32-byte key. Parsing is strict: anything
// that arrives over the network is hostile until it decodes to exactly such a key.

import bs58 from 'bs58';

export type DidKey = `did:key:z${string}`;

const PREFIX = 'did:key:z';
const ED25519_MULTICODEC = [0xed, 0x01] as const;
const KEY_BYTES = 32;

export function didKeyOf(publicKey: Uint8Array): DidKey {
  if (publicKey.length !== KEY_BYTES) throw new Error('an Ed25519 public key is 32 bytes');
  const bytes = new Uint8Array(2 + KEY_BYTES);
  bytes.set(ED25519_MULTICODEC, 0);
  bytes.set(publicKey, 2);
  return `${PREFIX}${bs58.encode(bytes)}`;
}

/** The raw public key of a did:key, or undefined when it is not an Ed25519 did:key. */
export function publicKeyOf(did: unknown): Uint8Array | undefined {
  if (typeof did !== 'string' || !did.startsWith(PREFIX) || did.length > 80) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(did.slice(PREFIX.length));
  } catch {
    return undefined;
  }
  if (
    bytes.length !== 2 + KEY_BYTES ||
    bytes[0] !== ED25519_MULTICODEC[0] ||
    bytes[1] !== ED25519_MULTICODEC[1]
  )
    return undefined;
  return bytes.slice(2);
}

export function isDidKey(value: unknown): value is DidKey {
  return publicKeyOf(value) !== undefined;
}

/**
 * A short, stable fingerprint to show beside self-asserted names: the last 8 characters of the
 * key's base58 form, grouped (e.g. "7Hq2·xK9p"). Two identities with one name still look different.
 */
export function fingerprintOf(did: DidKey): string {
  const tail = did.slice(-8);
  return `${tail.slice(0, 4)}·${tail.slice(4)}`;
}
