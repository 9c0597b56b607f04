// Authenticated connections against a real relay process: a device's handshake opens a session
// whose cookie the WebSocket carries; bad signatures, replays, forged certificates, cross-site
// requests and peer-id takeovers are each refused with a reason.

import { describe, expect, it } from 'vitest';
import { cbor } from '@automerge/automerge-repo';
import { certifyDevice } from '../shared/identity/certificates.ts';
import { relayForFile } from './testing/relay-for-file.ts';
import { openRawSocket, sleep } from './testing/clients.ts';
import { newDevice, newKey, postSession, signedRequest } from './testing/identity.ts';

const relay = relayForFile();

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${relay().url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`no metric ${name}`);
  return Number(match[1]);
}

const join = (peerId: string): Uint8Array =>
  cbor.encode({ type: 'join', senderId: peerId, peerMetadata: {}, supportedProtocolVersions: ['1'] });

describe('relay sessions', () => {
  it('a certified device opens a session, and its WebSocket counts as authenticated', async () => {
    const device = await newDevice();
    const answer = await postSession(relay().url, await signedRequest(relay().url, device, 'peer-ok'));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ user: device.user.did, device: device.device.did });
    expect(answer.cookie).toMatch(/^pinax_session=[\w-]{40,}$/);

    const before = await metric('pinax_relay_authenticated_connections');
    const socket = await openRawSocket(relay().syncUrl, { cookie: answer.cookie! });
    socket.ws.send(join('peer-ok'));
    await sleep(200);
    expect(await metric('pinax_relay_authenticated_connections')).toBe(before + 1);
    socket.ws.close();
    await socket.closed;
  });

  it('refuses a bad signature, a replayed handshake and a challenge it never issued', async () => {
    const device = await newDevice();
    const refusedBefore = await metric('pinax_relay_handshakes_refused_total');

    const tampered = await signedRequest(relay().url, device, 'peer-x');
    tampered.statement.peerId = 'peer-y'; // signed for peer-x
    const bad = await postSession(relay().url, tampered);
    expect(bad.status).toBe(401);
    expect(bad.text).toMatch(/bad signature/);
    expect(bad.cookie).toBeUndefined();

    const request = await signedRequest(relay().url, device, 'peer-r');
    expect((await postSession(relay().url, request)).status).toBe(200);
    const replay = await postSession(relay().url, request);
    expect(replay.status).toBe(401);
    expect(replay.text).toMatch(/unknown or expired challenge/);

    const invented = await postSession(
      relay().url,
      await signedRequest(relay().url, device, 'p', { nonce: 'made-up' }),
    );
    expect(invented.status).toBe(401);

    expect(await metric('pinax_relay_handshakes_refused_total')).toBe(refusedBefore + 3);
  });

  it('refuses a forged certificate, a chain for another device, and a signature for another server', async () => {
    const device = await newDevice();
    // A stranger's key claims to certify this device for the user.
    const stranger = await newKey();
    const forged = await certifyDevice(stranger.privateKey, {
      user: device.user.did,
      issuer: device.user.did,
      device: device.device.did,
      label: 'forged',
      issuedAt: Date.now(),
    });
    const withForged = { ...(await signedRequest(relay().url, device, 'peer-f')), chain: [forged] };
    const answer = await postSession(relay().url, withForged);
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(/bad certificate signature/);

    const other = await newDevice();
    const wrongChain = { ...(await signedRequest(relay().url, device, 'peer-w')), chain: other.chain };
    expect((await postSession(relay().url, wrongChain)).text).toMatch(/certificate/);

    const elsewhere = await signedRequest(relay().url, device, 'peer-e', { origin: 'https://evil.example' });
    const relayed = await postSession(relay().url, elsewhere);
    expect(relayed.status).toBe(401);
    expect(relayed.text).toMatch(/another server/);
  });

  it('answers malformed handshakes with 400 and a reason', async () => {
    for (const body of ['not json', '{}', JSON.stringify({ statement: { nonce: 1 } }), '[]']) {
      const answer = await postSession(relay().url, body);
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/Malformed handshake/);
    }
  });

  it('refuses an unknown session cookie and a cross-site WebSocket', async () => {
    await expect(openRawSocket(relay().syncUrl, { cookie: 'pinax_session=forged-token' })).rejects.toThrow();
    await expect(openRawSocket(relay().syncUrl, { origin: 'https://evil.example' })).rejects.toThrow();
    const anonymous = await openRawSocket(relay().syncUrl);
    anonymous.ws.close();
    await anonymous.closed;
  });

  it('binds peer ids: no one else may join as an authenticated device, nor a device as another peer', async () => {
    const device = await newDevice();
    const { cookie } = await postSession(relay().url, await signedRequest(relay().url, device, 'peer-bound'));
    const owner = await openRawSocket(relay().syncUrl, { cookie: cookie! });
    owner.ws.send(join('peer-bound'));
    await sleep(100);

    const thief = await openRawSocket(relay().syncUrl);
    thief.ws.send(join('peer-bound'));
    expect(await thief.closed).toEqual({ code: 1008, reason: 'peer id belongs to an authenticated device' });

    const second = await postSession(relay().url, await signedRequest(relay().url, device, 'peer-declared'));
    const liar = await openRawSocket(relay().syncUrl, { cookie: second.cookie! });
    liar.ws.send(join('peer-other'));
    expect(await liar.closed).toEqual({
      code: 1008,
      reason: 'peer id does not match the authenticated session',
    });

    expect(owner.ws.readyState).toBe(owner.ws.OPEN); // the real device kept its connection
    owner.ws.close();
    await owner.closed;
  });
});
