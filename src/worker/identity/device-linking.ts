// Linking a device, in the engine (protocol in src/shared/identity/pairing.ts). On the existing
// device, a "deviceLink" subscription opens a pairing and lasts as long as the dialog showing its
// code: it waits for the new device's offer, certifies its key and answers. On the new device,
// "acceptDeviceLink" offers this device's key, waits for the answer, checks the certificate chain
// and adopts the user: its identity and its home document (the joined collections), after handing
// over what it did as its own user (link-handover.ts). The engine then restarts, so every part of it
// acts as that user from its first line.

import { isValidDocumentId } from '@automerge/automerge-repo/slim';
import { certifyDevice, verifyChain } from '../../shared/identity/certificates.ts';
import type { DidKey } from '../../shared/identity/did-key.ts';
import type { PairingAnswer } from '../../shared/identity/pairing.ts';
import {
  PAIRING_ANSWER_PATH,
  PAIRING_OFFER_PATH,
  PAIRING_OPEN_PATH,
  PAIRING_POLL_PATH,
  PAIRING_RESULT_PATH,
  PAIRING_TTL_MS,
  checkOffer,
  mailboxOf,
  makeOffer,
  newPairingSecret,
  openAnswer,
  pairingHash,
  sealAnswer,
} from '../../shared/identity/pairing.ts';
import { makeLogger } from '../../shared/log.ts';
import type { DeviceLinkState } from '../../shared/queries.ts';
import type { PinaxDb } from '../db.ts';
import type { Home } from '../home.ts';
import type { Devices } from './devices.ts';
import type { DeviceIdentity } from './keystore.ts';
import type { LinkHandover } from './link-handover.ts';

const POLL_MS = 1_000;

export class DeviceLinking {
  #identity: Promise<DeviceIdentity>;
  #db: PinaxDb;
  #home: Home;
  #httpBase: string;
  #devices: Devices;
  #handover: LinkHandover;

  /** `httpBase` is the relay's origin, which also serves the app. */
  constructor(
    identity: Promise<DeviceIdentity>,
    db: PinaxDb,
    home: Home,
    httpBase: string,
    devices: Devices,
    handover: LinkHandover,
  ) {
    this.#devices = devices;
    this.#handover = handover;
    this.#identity = identity;
    this.#db = db;
    this.#home = home;
    this.#httpBase = httpBase;
  }

  /** Opens a pairing and pushes its state until it ends; unsubscribing cancels it. */
  offerLink(push: (state: DeviceLinkState) => void): () => void {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const send = (state: DeviceLinkState) => {
      if (active) push(state);
    };
    const run = async () => {
      const secret = newPairingSecret();
      const mailbox = await mailboxOf(secret);
      const opened = await this.#post(PAIRING_OPEN_PATH, { mailbox });
      if (opened.status !== 200) return send({ status: 'failed', reason: await reasonOf(opened) });
      const { expiresAt } = (await opened.json()) as { expiresAt: number };
      send({ status: 'waiting', link: `${this.#httpBase}/${pairingHash(secret)}`, expiresAt });
      const poll = async (): Promise<void> => {
        if (!active) return;
        if (Date.now() > expiresAt) return send({ status: 'expired' });
        const response = await this.#post(PAIRING_POLL_PATH, { mailbox }).catch(() => undefined);
        if (response?.status === 404) return send({ status: 'expired' });
        if (response?.status !== 200) {
          timer = setTimeout(() => void poll().catch(fail), POLL_MS);
          return;
        }
        const { offer: raw } = (await response.json()) as { offer?: unknown };
        const offer = await checkOffer(secret, raw);
        if (!offer)
          return send({ status: 'failed', reason: 'The other device did not prove it holds this code.' });
        send({ status: 'certifying', label: offer.label });
        await this.#answer(secret, mailbox, offer.device, offer.label);
        log.info('linked a device', offer.device);
        send({ status: 'linked', label: offer.label });
      };
      await poll();
    };
    const fail = (error: unknown) => {
      log.warn('linking a device failed', error);
      send({ status: 'failed', reason: 'Could not reach the relay. Check the connection and try again.' });
    };
    send({ status: 'opening' });
    void run().catch(fail);
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }

  /**
   * Links this device with a code shown on another device. Resolves with the user it now acts for,
   * once the identity and home document are stored; rejects with a reason to show.
   */
  async acceptLink(secret: string, signal?: AbortSignal): Promise<{ user: DidKey }> {
    const identity = await this.#identity;
    // Before the code is spent: refused here, it can be tried again.
    await this.#handover.settle();
    const mailbox = await mailboxOf(secret);
    const offer = await makeOffer(secret, identity.device, identity.chain.at(-1)?.label ?? 'Another device');
    const offered = await this.#post(PAIRING_OFFER_PATH, { mailbox, offer });
    if (offered.status !== 202) throw new LinkRefused(await reasonOf(offered));
    const deadline = Date.now() + PAIRING_TTL_MS;
    for (;;) {
      if (signal?.aborted || Date.now() > deadline)
        throw new LinkRefused('Your other device did not confirm in time. Show a new code there.');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const response = await this.#post(PAIRING_RESULT_PATH, { mailbox, device: identity.device });
      if (response.status === 204) continue;
      if (response.status !== 200) throw new LinkRefused(await reasonOf(response));
      const { answer: sealed } = (await response.json()) as { answer?: unknown };
      const answer = parseAnswer(await openAnswer(secret, sealed));
      if (!answer) throw new LinkRefused('The answer was not sealed with this code.');
      const chain = await verifyChain(answer.chain, identity.device);
      if (!chain.ok) throw new LinkRefused(`The certificate for this device is not valid: ${chain.reason}.`);
      await this.#handover.handOver(identity.user, {
        user: chain.user,
        name: answer.displayName,
        chain: answer.chain,
      });
      await this.#adopt(chain.user, answer);
      log.info('this device is now linked to its user');
      return { user: chain.user };
    }
  }

  async #answer(secret: string, mailbox: string, device: DidKey, label: string): Promise<void> {
    const identity = await this.#identity;
    const certificate = await certifyDevice(identity.deviceKey, {
      user: identity.user,
      issuer: identity.device,
      device,
      label,
      issuedAt: Date.now(),
    });
    const row = await this.#db.identity.get('self');
    const home = (await this.#home.handle()).documentId;
    const answer: PairingAnswer = {
      chain: [...identity.chain, certificate],
      displayName: row?.displayName ?? identity.displayName,
      home,
    };
    const answered = await this.#post(PAIRING_ANSWER_PATH, {
      mailbox,
      answer: await sealAnswer(secret, answer),
    });
    if (answered.status !== 204) throw new Error(await reasonOf(answered));
    await this.#devices.recordLinked(device, label);
  }

  /** Acts as `user` from now on: its certificate chain, name and home document. */
  async #adopt(user: DidKey, answer: PairingAnswer): Promise<void> {
    await this.#db.transaction('rw', this.#db.identity, this.#db.meta, async () => {
      await this.#db.identity
        .where('key')
        .equals('self')
        .modify((row) => {
          row.user = user;
          row.chain = answer.chain;
          row.displayName = answer.displayName;
          // Its own root key is not needed any more: what that user owned has the new user as an
          // owner too (see link-handover.ts).
          delete row.userKey;
        });
      // The previous home document's collections join the user's on the next start (CollectionStore
      // adds every sidebar row missing from the home document).
      await this.#db.meta.put({ key: 'home', value: answer.home });
    });
  }

  #post(path: string, body: unknown): Promise<Response> {
    return fetch(new URL(path, this.#httpBase), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
    });
  }
}

/** The relay or the other device refused the link; the message says why, for the user. */
export class LinkRefused extends Error {
  override name = 'LinkRefused';
}

function parseAnswer(raw: unknown): PairingAnswer | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { chain, displayName, home } = raw as Record<string, unknown>;
  if (!Array.isArray(chain) || typeof displayName !== 'string' || displayName.length > 80) return undefined;
  if (!isValidDocumentId(home)) return undefined;
  // The chain's certificates are checked by verifyChain before anything is stored.
  return { chain: chain as unknown[] as PairingAnswer['chain'], displayName, home };
}

async function reasonOf(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).trim().slice(0, 200);
  return text || `The relay answered HTTP ${response.status}.`;
}

const log = makeLogger('pinax:linking');
