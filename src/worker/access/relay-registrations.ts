// Registering documents with the relay ("grant before write"): until a collection's parts are
// registered, the relay does not guard them. Registrations are kept in IndexedDB until the relay
// confirms them, so one made offline, or refused while the session handshake was still running,
// is sent again on reconnect or on a backing-off timer.

import type { PersonalKind } from '../../shared/personal-docs.ts';
import { makeLogger } from '../../shared/log.ts';
import type { PinaxDb } from '../db.ts';

/** What the relay is asked to guard: a collection's parts, or one of the user's own documents. */
export type Registration =
  | { collectionId: string; accessId?: string; bodyId?: string; socialId?: string }
  | { personalId: string; kind: PersonalKind };

export class RelayRegistrations {
  #db: PinaxDb;
  #relayBase: string;
  #registering: Promise<void> = Promise.resolve();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelayMs = FIRST_RETRY_MS;

  constructor(db: PinaxDb, relayBase: string) {
    this.#db = db;
    this.#relayBase = relayBase;
  }

  /** Registers with the relay now, or once it can be reached (kept until then). */
  register(registration: Registration): Promise<void> {
    return this.#serially(async () => {
      const pending = await this.#pending();
      if (!pending.some((p) => JSON.stringify(p) === JSON.stringify(registration)))
        pending.push(registration);
      await this.#db.meta.put({ key: PENDING_KEY, value: pending });
      await this.#sendPending();
    });
  }

  /** Sends the registrations the relay has not confirmed yet (called when it connects). */
  retry(): Promise<void> {
    return this.#serially(() => this.#sendPending());
  }

  /**
   * One registration pass at a time, in the order asked: a collection is registered before its
   * social or body documents (the relay needs it first), and no pass overwrites another's list.
   */
  #serially(work: () => Promise<void>): Promise<void> {
    const next = this.#registering.then(work);
    this.#registering = next.catch(() => undefined);
    return next;
  }

  async #sendPending(): Promise<void> {
    const pending = await this.#pending();
    const left: typeof pending = [];
    let refused = false;
    for (const registration of pending) {
      try {
        const res = await fetch(new URL('/access/register', this.#relayBase), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(registration),
        });
        // 409: someone registered it differently first; nothing to retry (the relay says no).
        if (res.status === 409) log.warn('the relay has this document registered differently');
        else if (!res.ok) {
          // Until it is registered the relay does not guard the document: say so, and retry. A 401
          // is the expected race with the session handshake at start-up (sent again on connect).
          if (res.status === 401) log.debug('no relay session yet; the registration waits for it');
          else log.warn(`the relay refused a registration for now (${res.status}); will retry`);
          left.push(registration);
          // No session yet, or the relay in trouble: soon. Anything else waits for a reconnect.
          if (res.status === 401 || res.status >= 500) refused = true;
        }
      } catch {
        left.push(registration); // offline: on reconnect
      }
    }
    await this.#db.meta.put({ key: PENDING_KEY, value: left });
    this.#retryLater(refused);
  }

  /**
   * A refusal while connected (say, a 401 because the request raced the session handshake) is
   * retried on a timer, with backoff: waiting for the next reconnect could leave a new collection
   * unguarded for the whole session.
   */
  #retryLater(refused: boolean): void {
    if (!refused) {
      this.#retryDelayMs = FIRST_RETRY_MS;
      return;
    }
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.retry();
    }, this.#retryDelayMs);
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, MAX_RETRY_MS);
  }

  async #pending(): Promise<Registration[]> {
    const row = await this.#db.meta.get(PENDING_KEY);
    return Array.isArray(row?.value) ? (row.value as Registration[]) : [];
  }
}

const PENDING_KEY = 'pending-access-registrations';
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
const log = makeLogger('pinax:access');
