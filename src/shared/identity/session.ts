// The relay session handshake, shared by the engine (which signs) and the relay (which verifies).
//   1. POST /auth/challenge            -> { nonce }            (single use, short-lived)
//   2. POST /auth/session  SessionRequest -> Set-Cookie (HttpOnly, SameSite=Strict) + { user, device }
//   3. The WebSocket to /sync carries the cookie; the relay knows the user and device behind it.
// The statement binds the nonce (no replay), the relay's origin (no relaying a signature made for
// another server) and the automerge-repo peer id the device will use (no peer-id takeover).

import type { DidKey } from './did-key.ts';
import { isDidKey } from './did-key.ts';
import type { DeviceCertificate } from './certificates.ts';
import type { SigningKey } from './signatures.ts';
import { signStatement } from './signatures.ts';

export const CHALLENGE_PATH = '/auth/challenge';
export const SESSION_PATH = '/auth/session';
export const SESSION_COOKIE = 'pinax_session';
export const SESSION_PURPOSE = 'pinax/relay-session/v1';
/** Larger request bodies are refused unread. */
export const MAX_SESSION_REQUEST_BYTES = 16 * 1024;

export interface SessionStatement {
  nonce: string;
  /** The relay's origin, as the device reached it. */
  origin: string;
  peerId: string;
  device: DidKey;
}

export interface SessionRequest {
  statement: SessionStatement;
  signature: string;
  chain: DeviceCertificate[];
}

export async function signSessionRequest(
  deviceKey: SigningKey,
  statement: SessionStatement,
  chain: DeviceCertificate[],
): Promise<SessionRequest> {
  return { statement, signature: await signStatement(deviceKey, SESSION_PURPOSE, statement), chain };
}

/** The request's shape checked (not its signatures), or a reason. */
export function parseSessionRequest(raw: unknown): SessionRequest | string {
  if (!raw || typeof raw !== 'object') return 'not a session request';
  const { statement, signature, chain } = raw as Record<string, unknown>;
  if (!statement || typeof statement !== 'object') return 'missing statement';
  const s = statement as Record<string, unknown>;
  if (Object.keys(s).sort().join(',') !== 'device,nonce,origin,peerId') return 'malformed statement';
  if (typeof s['nonce'] !== 'string' || s['nonce'].length > 100) return 'malformed nonce';
  if (typeof s['origin'] !== 'string' || s['origin'].length > 300) return 'malformed origin';
  if (typeof s['peerId'] !== 'string' || !/^[\w-]{1,100}$/.test(s['peerId'])) return 'malformed peer id';
  if (!isDidKey(s['device'])) return 'malformed device key';
  if (typeof signature !== 'string') return 'missing signature';
  if (!Array.isArray(chain)) return 'missing certificate chain';
  return { statement: s as unknown as SessionStatement, signature, chain: chain as DeviceCertificate[] };
}
