// The pairing mailbox (src/shared/identity/pairing.ts): an authenticated device opens a mailbox for
// a one-time code; the new device drops its offer in it; the opener picks the offer up, answers
// with a sealed certificate; the new device collects the answer once, and the mailbox is gone.
// Mailboxes live in memory for 10 minutes: a relay restart just means "show a new code".
//
//   POST /pair/open    {mailbox}           authenticated: opens it (expires in 10 min)
//   POST /pair/offer   {mailbox, offer}    anyone: the first offer wins
//   POST /pair/poll    {mailbox}           the opening user: the offer, or 204 while none
//   POST /pair/answer  {mailbox, answer}   the opening user: the sealed answer
//   POST /pair/result  {mailbox, device}   the offering device: the answer once, or 204 while none

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DidKey } from '../shared/identity/did-key.ts';
import type { PairingOffer, SealedAnswer } from '../shared/identity/pairing.ts';
import {
  MAX_PAIRING_BODY_BYTES,
  PAIRING_ANSWER_PATH,
  PAIRING_OFFER_PATH,
  PAIRING_OPEN_PATH,
  PAIRING_POLL_PATH,
  PAIRING_RESULT_PATH,
  PAIRING_TTL_MS,
  isMailbox,
  parseOffer,
  parseSealed,
} from '../shared/identity/pairing.ts';
import type { Logger } from '../shared/log.ts';
import type { Identity } from './auth.ts';
import { readSmallBody } from './request-body.ts';
import { sendJson, sendText } from './static.ts';

export const EXPIRED_CODE =
  'This pairing code is invalid or has expired. Show a new code on your other device.';

export interface PairingOptions {
  log: Logger;
  identityOf: (req: IncomingMessage) => Identity | undefined;
  now?: () => number;
  ttlMs?: number;
}

/** Answers /pair/* requests; resolves false for any other path. */
export function createPairingRoutes(
  options: PairingOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const { log, identityOf } = options;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? PAIRING_TTL_MS;
  const mailboxes = new Map<string, Mailbox>();

  const live = (id: string): Mailbox | undefined => {
    const mailbox = mailboxes.get(id);
    if (mailbox && mailbox.expiresAt <= now()) {
      mailboxes.delete(id);
      return undefined;
    }
    return mailbox;
  };

  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!ROUTES.has(path)) return false;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendText(res, 405, 'Method not allowed');
      return true;
    }
    const body = await readJson(req);
    if (!body || !isMailbox(body['mailbox'])) {
      sendText(res, 400, 'Expected a JSON body with a mailbox');
      return true;
    }
    const id = body['mailbox'];
    const identity = identityOf(req);
    const user = identity?.kind === 'device' ? identity.user : undefined;

    switch (path) {
      case PAIRING_OPEN_PATH: {
        if (!user) return answer(res, 401, 'Linking a device needs an authenticated device');
        if (mailboxes.has(id)) return answer(res, 409, 'This pairing code is already open');
        for (const [key, mailbox] of mailboxes) if (mailbox.expiresAt <= now()) mailboxes.delete(key);
        if (mailboxes.size >= MAX_MAILBOXES)
          return answer(res, 503, 'Too many pairings open; try again soon');
        const expiresAt = now() + ttlMs;
        mailboxes.set(id, { user, expiresAt });
        sendJson(res, 200, { expiresAt });
        return true;
      }
      case PAIRING_OFFER_PATH: {
        const mailbox = live(id);
        const offer = parseOffer(body['offer']);
        if (!offer) return answer(res, 400, 'Expected an offer with a device key, a label and a proof');
        if (!mailbox) return refuse(res, 404, EXPIRED_CODE);
        if (mailbox.offer) return refuse(res, 409, 'This pairing code has already been used');
        mailbox.offer = offer;
        log.info('pairing: a device offered its key', { device: offer.device });
        return answer(res, 202, 'Waiting for your other device to confirm');
      }
      case PAIRING_POLL_PATH: {
        const mailbox = live(id);
        if (!mailbox) return refuse(res, 404, EXPIRED_CODE);
        if (mailbox.user !== user)
          return answer(res, 403, 'Only the device that showed the code can read it');
        if (!mailbox.offer) return answer(res, 204, '');
        sendJson(res, 200, { offer: mailbox.offer, expiresAt: mailbox.expiresAt });
        return true;
      }
      case PAIRING_ANSWER_PATH: {
        const mailbox = live(id);
        const sealed = parseSealed(body['answer']);
        if (!sealed) return answer(res, 400, 'Expected a sealed answer');
        if (!mailbox) return refuse(res, 404, EXPIRED_CODE);
        if (mailbox.user !== user) return answer(res, 403, 'Only the device that showed the code can answer');
        if (!mailbox.offer || mailbox.answer) return answer(res, 409, 'Nothing to answer');
        mailbox.answer = sealed;
        return answer(res, 204, '');
      }
      case PAIRING_RESULT_PATH: {
        const mailbox = live(id);
        if (!mailbox) return refuse(res, 404, EXPIRED_CODE);
        if (!mailbox.offer || mailbox.offer.device !== body['device'])
          return answer(res, 403, 'Only the device that offered its key can collect the answer');
        if (!mailbox.answer) return answer(res, 204, '');
        // Collected once: the code is spent.
        mailboxes.delete(id);
        log.info('pairing: a device was linked', { device: mailbox.offer.device, user: mailbox.user });
        sendJson(res, 200, { answer: mailbox.answer });
        return true;
      }
    }
    return false;
  };

  function refuse(res: ServerResponse, status: number, reason: string): true {
    log.warn(`pairing: refused: ${reason}`);
    return answer(res, status, reason);
  }
}

interface Mailbox {
  user: DidKey;
  expiresAt: number;
  offer?: PairingOffer;
  answer?: SealedAnswer;
}

/** Open pairings beyond this are refused: a flood cannot grow memory. */
const MAX_MAILBOXES = 10_000;
const ROUTES = new Set([
  PAIRING_OPEN_PATH,
  PAIRING_OFFER_PATH,
  PAIRING_POLL_PATH,
  PAIRING_ANSWER_PATH,
  PAIRING_RESULT_PATH,
]);

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const body = await readSmallBody(req, MAX_PAIRING_BODY_BYTES);
  if (body === undefined) return undefined;
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, text: string): true {
  if (status === 204) {
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
  } else sendText(res, status, text);
  return true;
}
