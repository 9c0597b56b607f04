// Test devices for the relay's handshake, made with Node's WebCrypto exactly as the engine makes
// them in the browser, plus a client for POST /auth/challenge and /auth/session.

import type { DeviceCertificate } from '../../shared/identity/certificates.ts';
import { certifyDevice } from '../../shared/identity/certificates.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import { didKeyOf } from '../../shared/identity/did-key.ts';
import type { SigningKey } from '../../shared/identity/signatures.ts';
import { newSigningKeyPair } from '../../shared/identity/signatures.ts';
import type { SessionRequest } from '../../shared/identity/session.ts';
import {
  CHALLENGE_PATH,
  SESSION_COOKIE,
  SESSION_PATH,
  signSessionRequest,
} from '../../shared/identity/session.ts';

export interface TestKey {
  did: DidKey;
  privateKey: SigningKey;
}

export interface TestDevice {
  user: TestKey;
  device: TestKey;
  chain: DeviceCertificate[];
}

/** What a device needs to open sessions: its own key and chain (a linked device lacks the user's key). */
export interface SessionDevice {
  user: { did: DidKey };
  device: TestKey;
  chain: DeviceCertificate[];
}

export async function newKey(): Promise<TestKey> {
  const pair = await newSigningKeyPair();
  return { did: didKeyOf(pair.raw), privateKey: pair.privateKey };
}

/** A user and a device it certified directly. */
export async function newDevice(label = 'test device'): Promise<TestDevice> {
  const [user, device] = await Promise.all([newKey(), newKey()]);
  const certificate = await certifyDevice(user.privateKey, {
    user: user.did,
    issuer: user.did,
    device: device.did,
    label,
    issuedAt: Date.now(),
  });
  return { user, device, chain: [certificate] };
}

/** Another device of the same user, certified by the user's key. */
export async function newDeviceOf(of: TestDevice, label = 'second device'): Promise<TestDevice> {
  const device = await newKey();
  const certificate = await certifyDevice(of.user.privateKey, {
    user: of.user.did,
    issuer: of.user.did,
    device: device.did,
    label,
    issuedAt: Date.now(),
  });
  return { user: of.user, device, chain: [certificate] };
}

export async function challenge(baseUrl: string): Promise<string> {
  const res = await fetch(new URL(CHALLENGE_PATH, baseUrl), { method: 'POST' });
  if (!res.ok) throw new Error(`challenge: ${res.status}`);
  return ((await res.json()) as { nonce: string }).nonce;
}

export async function signedRequest(
  baseUrl: string,
  device: SessionDevice,
  peerId: string,
  overrides: { nonce?: string; origin?: string } = {},
): Promise<SessionRequest> {
  const nonce = overrides.nonce ?? (await challenge(baseUrl));
  return signSessionRequest(
    device.device.privateKey,
    { nonce, origin: overrides.origin ?? new URL(baseUrl).origin, peerId, device: device.device.did },
    device.chain,
  );
}

export interface SessionAnswer {
  status: number;
  text: string;
  /** "pinax_session=<token>", ready for a Cookie header, when the relay set one. */
  cookie: string | undefined;
}

export async function postSession(baseUrl: string, body: unknown): Promise<SessionAnswer> {
  const res = await fetch(new URL(SESSION_PATH, baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const match = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie);
  return {
    status: res.status,
    text: await res.text(),
    cookie: match ? `${SESSION_COOKIE}=${match[1]}` : undefined,
  };
}
