// Signing and verifying JSON statements with Ed25519 through WebCrypto (browser and Node alike).
// What is signed is the canonical JSON of the statement (keys sorted, no whitespace), prefixed with
// a purpose string so a signature made for one purpose can never be replayed as another.

import { publicKeyOf } from './did-key.ts';

const ED25519 = { name: 'Ed25519' } as const;

/** A WebCrypto private key (spelled so that both the DOM and Node type libraries accept it). */
export type SigningKey = Parameters<typeof crypto.subtle.sign>[1];

export type Purpose =
  | 'pinax/device-certificate/v1'
  | 'pinax/relay-session/v1'
  | 'pinax/access-entry/v1'
  | 'pinax/join-request/v1'
  | 'pinax/device-revocation/v1'
  | 'pinax/reaction/v1'
  | 'pinax/activity/v1';

/** A new Ed25519 key pair whose private half is non-extractable: it can sign, never be read out. */
export async function newSigningKeyPair(): Promise<{
  publicKey: SigningKey;
  privateKey: SigningKey;
  raw: Uint8Array;
}> {
  // Node's types know Ed25519 makes a pair; the DOM's overloads do not. One cast serves both.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const pair = (await crypto.subtle.generateKey(ED25519, false, ['sign', 'verify'])) as unknown as {
    publicKey: SigningKey;
    privateKey: SigningKey;
  };
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { ...pair, raw };
}

/** JSON with sorted keys at every level; undefined members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export async function signStatement(
  privateKey: SigningKey,
  purpose: Purpose,
  statement: unknown,
): Promise<string> {
  const signature = await crypto.subtle.sign(ED25519, privateKey, bytesToSign(purpose, statement));
  return toBase64Url(new Uint8Array(signature));
}

/** False for a bad signature, a malformed signature, or a signer that is not an Ed25519 did:key. */
export async function verifyStatement(
  signer: string,
  purpose: Purpose,
  statement: unknown,
  signature: unknown,
): Promise<boolean> {
  const raw = publicKeyOf(signer);
  const sig = typeof signature === 'string' ? fromBase64Url(signature) : undefined;
  if (!raw || !sig || sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(raw), ED25519, false, ['verify']);
    return await crypto.subtle.verify(ED25519, key, sig, bytesToSign(purpose, statement));
  } catch {
    return false;
  }
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `maxChars` bounds the work a hostile input can cause: keys and signatures are far shorter. */
export function fromBase64Url(text: string, maxChars = 4096): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length > maxChars) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function bytesToSign(purpose: Purpose, statement: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${purpose}\n${canonicalJson(statement)}`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = sortKeys(member);
    }
    return out;
  }
  return value;
}
