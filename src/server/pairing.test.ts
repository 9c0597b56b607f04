// The pairing mailbox over real HTTP on loopback, and the pairing crypto it relays: an offer proves
// the code, a sealed answer opens only with the code, and the relay refuses what is expired,
// spent, or asked for by someone else.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { didKeyOf } from '../shared/identity/did-key.ts';
import type { DidKey } from '../shared/identity/did-key.ts';
import {
  checkOffer,
  mailboxOf,
  makeOffer,
  newPairingSecret,
  openAnswer,
  sealAnswer,
} from '../shared/identity/pairing.ts';
import { newSigningKeyPair } from '../shared/identity/signatures.ts';
import { makeLogger } from '../shared/log.ts';
import type { Identity } from './auth.ts';
import { EXPIRED_CODE, createPairingRoutes } from './pairing.ts';

let server: http.Server;
let base: string;
let clock = Date.now();
let owner: DidKey;
let newDevice: DidKey;
let stranger: DidKey;

beforeAll(async () => {
  [owner, newDevice, stranger] = (await Promise.all(
    [0, 1, 2].map(async () => didKeyOf((await newSigningKeyPair()).raw)),
  )) as [DidKey, DidKey, DidKey];
  // The test says who is signed in with a header; the relay reads it from the session cookie.
  const identityOf = (req: http.IncomingMessage): Identity | undefined => {
    const user = req.headers['x-test-user'];
    return typeof user === 'string'
      ? { kind: 'device', user: user as DidKey, device: user as DidKey, peerId: 'p' }
      : { kind: 'anonymous' };
  };
  const routes = createPairingRoutes({ log: makeLogger('test:pairing'), identityOf, now: () => clock });
  server = http.createServer((req, res) => {
    void routes(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(path: string, body: unknown, user?: DidKey): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(user ? { 'x-test-user': user } : {}) },
    body: JSON.stringify(body),
  });
}

describe('pairing crypto', () => {
  it('accepts an offer made with the code, and no tampered or foreign one', async () => {
    const secret = newPairingSecret();
    const offer = await makeOffer(secret, newDevice, 'Laptop');
    expect(await checkOffer(secret, offer)).toEqual(offer);
    expect(await checkOffer(secret, { ...offer, device: stranger })).toBeUndefined();
    expect(await checkOffer(secret, { ...offer, label: 'Phone' })).toBeUndefined();
    expect(await checkOffer(newPairingSecret(), offer)).toBeUndefined();
    expect(await checkOffer(secret, { ...offer, extra: 1, proof: 42 })).toBeUndefined();
  });

  it('opens a sealed answer only with the same code, and not once tampered with', async () => {
    const secret = newPairingSecret();
    const answer = { chain: [], displayName: 'Ada', home: 'home-id' };
    const sealed = await sealAnswer(secret, answer);
    expect(await openAnswer(secret, sealed)).toEqual(answer);
    expect(await openAnswer(newPairingSecret(), sealed)).toBeUndefined();
    const flipped = sealed.data.startsWith('A') ? `B${sealed.data.slice(1)}` : `A${sealed.data.slice(1)}`;
    expect(await openAnswer(secret, { ...sealed, data: flipped })).toBeUndefined();
    expect(await openAnswer(secret, 'junk')).toBeUndefined();
  });
});

describe('pairing mailbox', () => {
  it('carries one offer and one answer, then the code is spent', async () => {
    const secret = newPairingSecret();
    const mailbox = await mailboxOf(secret);
    expect((await post('/pair/open', { mailbox })).status).toBe(401);
    expect((await post('/pair/open', { mailbox }, owner)).status).toBe(200);
    expect((await post('/pair/poll', { mailbox }, owner)).status).toBe(204);

    const offer = await makeOffer(secret, newDevice, 'Laptop');
    expect((await post('/pair/offer', { mailbox, offer })).status).toBe(202);
    const second = await post('/pair/offer', { mailbox, offer: await makeOffer(secret, stranger, 'Other') });
    expect(second.status).toBe(409);

    expect((await post('/pair/poll', { mailbox }, stranger)).status).toBe(403);
    const polled = await post('/pair/poll', { mailbox }, owner);
    expect(await checkOffer(secret, ((await polled.json()) as { offer: unknown }).offer)).toEqual(offer);

    expect((await post('/pair/result', { mailbox, device: newDevice })).status).toBe(204);
    const sealed = await sealAnswer(secret, { chain: [], displayName: 'Ada', home: 'h' });
    expect((await post('/pair/answer', { mailbox, answer: sealed }, stranger)).status).toBe(403);
    expect((await post('/pair/answer', { mailbox, answer: sealed }, owner)).status).toBe(204);
    expect((await post('/pair/result', { mailbox, device: stranger })).status).toBe(403);
    const result = await post('/pair/result', { mailbox, device: newDevice });
    expect(result.status).toBe(200);
    expect(await openAnswer(secret, ((await result.json()) as { answer: unknown }).answer)).toMatchObject({
      displayName: 'Ada',
    });
    // Spent: nobody can use it again.
    const again = await post('/pair/result', { mailbox, device: newDevice });
    expect(again.status).toBe(404);
    expect((await again.text()).trim()).toBe(EXPIRED_CODE);
  });

  it('refuses an expired code with a reason', async () => {
    const secret = newPairingSecret();
    const mailbox = await mailboxOf(secret);
    expect((await post('/pair/open', { mailbox }, owner)).status).toBe(200);
    clock += 10 * 60_000 + 1;
    const late = await post('/pair/offer', { mailbox, offer: await makeOffer(secret, newDevice, 'Laptop') });
    expect(late.status).toBe(404);
    expect((await late.text()).trim()).toBe(EXPIRED_CODE);
    expect((await post('/pair/poll', { mailbox }, owner)).status).toBe(404);
  });

  it('refuses malformed requests without storing anything', async () => {
    expect((await post('/pair/open', { mailbox: 'short' }, owner)).status).toBe(400);
    expect((await post('/pair/open', 'not an object', owner)).status).toBe(400);
    const mailbox = await mailboxOf(newPairingSecret());
    expect((await post('/pair/offer', { mailbox, offer: { device: 'x', label: 1, proof: '' } })).status).toBe(
      400,
    );
    const get = await fetch(`${base}/pair/open`);
    expect(get.status).toBe(405);
  });
});
