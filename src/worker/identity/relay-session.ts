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

/**
 * Whether this engine has opened a relay session, and the outcome of the next attempt: requests
 * made before the handshake go without the session cookie, and the relay refuses them what it
 * refuses anonymous devices (see snapshot-bootstrap.ts).
 */
export class RelaySessionState {
  #open = false;
  #expected: boolean;
  #waiters = new Set<(opened: boolean) => void>();

  /** `expected`: this engine connects to the relay (in fallback mode, only the elected one does). */
  constructor(expected: boolean) {
    this.#expected = expected;
  }

  /** This engine connects to the relay from now on. */
  expect(): void {
    this.#expected = true;
  }

  get open(): boolean {
    return this.#open;
  }

  /** A handshake ended: opened, or refused or failed. */
  settled(opened: boolean): void {
    if (opened) this.#open = true;
    for (const waiter of this.#waiters) waiter(opened);
    this.#waiters.clear();
  }

  /**
   * Resolves with the next handshake's outcome, or false after `timeoutMs`; false at once when this
   * engine makes none (the session cookie, shared by the profile's engines, is sent all the same).
   */
  next(timeoutMs: number): Promise<boolean> {
    if (!this.#expected) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (opened: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve(opened);
      };
      this.#waiters.add(done);
    });
  }
}

async function reasonOf(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).trim().slice(0, 200);
  return text || `HTTP ${response.status}`;
}
