// Linking a device (seed 004): the existing device shows a one-time code as a link and QR code; the
// new device proves it holds the code and sends its public key; the existing device certifies that
// key and answers with the certificate chain and the user's home document, sealed with the code.
//
// The code is a 256-bit secret that lives only in the link's fragment and in the two engines. The
// relay only relays: it sees a mailbox id (a hash of the code), the new device's public key with a
// proof it cannot forge (an HMAC keyed by the code) and a sealed answer it cannot read (AES-GCM
// keyed by the code). Everything here is WebCrypto.

import type { DeviceCertificate } from './certificates.ts';
import type { DidKey } from './did-key.ts';
import { isDidKey } from './did-key.ts';
import { fromBase64Url, toBase64Url } from './signatures.ts';

/** A pairing code expires this long after it was shown (the relay enforces it). */
export const PAIRING_TTL_MS = 10 * 60_000;
export const PAIRING_OPEN_PATH = '/pair/open';
export const PAIRING_OFFER_PATH = '/pair/offer';
export const PAIRING_POLL_PATH = '/pair/poll';
export const PAIRING_ANSWER_PATH = '/pair/answer';
export const PAIRING_RESULT_PATH = '/pair/result';
export const MAX_PAIRING_BODY_BYTES = 32 * 1024;
const MAX_LABEL_CHARS = 80;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A sealed answer's ciphertext, base64url: room for a chain of the longest allowed length. */
const MAX_SEALED_CHARS = 24_000;

/** What the new device sends: its key and label, and proof that it holds the code. */
export interface PairingOffer {
  device: DidKey;
  label: string;
  proof: string;
}

/** What the existing device answers, sealed: who the new device now acts for. */
export interface PairingAnswer {
  chain: DeviceCertificate[];
  displayName: string;
  /** The user's home document (its joined collections): a read capability, hence sealed. */
  home: string;
}

export interface SealedAnswer {
  iv: string;
  data: string;
}

/** A fresh one-time code. */
export function newPairingSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export function isPairingSecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_PATTERN.test(value);
}

/** The pairing link's fragment route for a code. */
export function pairingHash(secret: string): string {
  return `#/pair/${secret}`;
}

/** The relay's name for a pairing: a hash of the code, which does not reveal it. */
export async function mailboxOf(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8(`pinax/pairing/v1/mailbox:${secret}`));
  return toBase64Url(new Uint8Array(digest));
}

export function isMailbox(value: unknown): value is string {
  return typeof value === 'string' && SECRET_PATTERN.test(value);
}

export async function makeOffer(secret: string, device: DidKey, label: string): Promise<PairingOffer> {
  const trimmed = label.slice(0, MAX_LABEL_CHARS);
  return { device, label: trimmed, proof: await proofOf(secret, device, trimmed) };
}

/** The offer in `raw` if it is well formed and made with this code; otherwise undefined. */
export async function checkOffer(secret: string, raw: unknown): Promise<PairingOffer | undefined> {
  const offer = parseOffer(raw);
  if (!offer) return undefined;
  const key = await crypto.subtle.importKey(
    'raw',
    secretBytes(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const proof = fromBase64Url(offer.proof);
  if (!proof) return undefined;
  const ok = await crypto.subtle.verify('HMAC', key, proof, offerMessage(offer.device, offer.label));
  return ok ? offer : undefined;
}

/** The offer's shape only (the relay cannot check the proof): device key, label, proof. */
export function parseOffer(raw: unknown): PairingOffer | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const { device, label, proof } = raw as Record<string, unknown>;
  if (!isDidKey(device) || typeof label !== 'string' || label.length > MAX_LABEL_CHARS) return undefined;
  if (typeof proof !== 'string' || proof.length > 100) return undefined;
  return { device, label, proof };
}

export async function sealAnswer(secret: string, answer: PairingAnswer): Promise<SealedAnswer> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await answerKey(secret, 'encrypt'),
    utf8(JSON.stringify(answer)),
  );
  return { iv: toBase64Url(iv), data: toBase64Url(new Uint8Array(data)) };
}

/** The answer's JSON, unsealed with the code; undefined when it is not sealed with this code. */
export async function openAnswer(secret: string, raw: unknown): Promise<unknown> {
  if (!raw || typeof raw !== 'object') return undefined;
  const { iv, data } = raw as Record<string, unknown>;
  const ivBytes = typeof iv === 'string' ? fromBase64Url(iv) : undefined;
  const dataBytes = typeof data === 'string' ? fromBase64Url(data, MAX_SEALED_CHARS) : undefined;
  if (!ivBytes || ivBytes.byteLength !== 12 || !dataBytes) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ivBytes },
      await answerKey(secret, 'decrypt'),
      dataBytes,
    );
    return JSON.parse(new TextDecoder().decode(plain)) as unknown;
  } catch {
    return undefined;
  }
}

/** A sealed answer's shape, as the relay stores it. */
export function parseSealed(raw: unknown): SealedAnswer | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const { iv, data } = raw as Record<string, unknown>;
  if (typeof iv !== 'string' || iv.length > 40 || typeof data !== 'string' || data.length > MAX_SEALED_CHARS)
    return undefined;
  return { iv, data };
}

async function proofOf(secret: string, device: DidKey, label: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    secretBytes(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, offerMessage(device, label))));
}

function offerMessage(device: string, label: string): Uint8Array<ArrayBuffer> {
  return utf8(`pinax/pairing/v1/offer\n${device}\n${label}`);
}

async function answerKey(secret: string, use: 'encrypt' | 'decrypt'): Promise<AnswerKey> {
  const base = await crypto.subtle.importKey('raw', secretBytes(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8('pinax/pairing/v1/answer') },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    [use],
  );
}

type AnswerKey = Parameters<typeof crypto.subtle.encrypt>[1];

function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const bytes = fromBase64Url(secret);
  if (!bytes || bytes.byteLength !== 32) throw new Error('not a pairing code');
  return bytes;
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}
