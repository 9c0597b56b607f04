// Opens a relay session before each WebSocket connection: fetch a challenge, sign it with the
// device key, present the certificate chain. The relay answers with an HttpOnly cookie the
// WebSocket then carries. A refusal carries the relay's reason, for the sync status details.

import type { PeerId } from '@automerge/automerge-repo/slim';
import { CHALLENGE_PATH, SESSION_PATH, signSessionRequest } from '../../shared/identity/session.ts';
import type { DeviceIdentity } from './keystore.ts';

/** The relay refused the handshake; the message is its reason. */
export class SessionRefused extends Error {
  override name = 'SessionRefused';
}

/** `httpBase` is the relay's origin, e.g. "http://localhost:8080". */
export async function openRelaySession(
  httpBase: string,
  identity: DeviceIdentity,
  peerId: PeerId,
): Promise<void> {
  const challenge = await fetch(new URL(CHALLENGE_PATH, httpBase), { method: 'POST' });
  if (!challenge.ok) throw new SessionRefused(await reasonOf(challenge));
  const { nonce } = (await challenge.json()) as { nonce?: unknown };
  if (typeof nonce !== 'string') throw new SessionRefused('the relay sent a malformed challenge');
  const request = await signSessionRequest(
    identity.deviceKey,
    { nonce, origin: new URL(httpBase).origin, peerId, device: identity.device },
    identity.chain,
  );
  const session = await fetch(new URL(SESSION_PATH, httpBase), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!session.ok) throw new SessionRefused(await reasonOf(session));
}

async function reasonOf(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).trim().slice(0, 200);
  return text || `HTTP ${response.status}`;
}
