// An authenticated test client, as the app's engine is in a browser: the engine's own relay
// adapter with a device session cookie. Kept apart from clients.ts because it uses the worker's
// adapter (DOM types): tests compile it, the relay build does not.

import { Repo, type DocHandle, type PeerId, type StorageAdapterInterface } from '@automerge/automerge-repo';
import { ACCESS_KIND } from '../../shared/access/access-doc.ts';
import { createAuthored } from '../../shared/access/authored.ts';
import { ACCESS_REGISTER_PATH } from '../access-routes.ts';
import { WebSocket } from 'ws';
import { RelayClientAdapter } from '../../worker/network/relay-client-adapter.ts';
import { waitFor } from './clients.ts';
import { verifyChain } from '../../shared/identity/certificates.ts';
import {
  PAIRING_OFFER_PATH,
  PAIRING_RESULT_PATH,
  mailboxOf,
  makeOffer,
  openAnswer,
} from '../../shared/identity/pairing.ts';
import { newDevice, newKey, postSession, signedRequest, type SessionDevice } from './identity.ts';

export interface DeviceClient {
  repo: Repo;
  device: SessionDevice;
  /** "pinax_session=<token>", for the relay's HTTP routes. */
  cookie: string;
}

/**
 * A client like the app's engine: an authenticated device (of a new user unless one is given),
 * announcing everything to the relay. Like the engine, it opens a new session before every
 * connection, so it survives relay restarts. No storage unless given.
 */
export async function connectDevice(
  relay: { url: string; syncUrl: string },
  options: { device?: SessionDevice; storage?: StorageAdapterInterface; peerId?: string } = {},
): Promise<DeviceClient> {
  const device = options.device ?? (await newDevice());
  const peerId = (options.peerId ?? `device-${crypto.randomUUID()}`) as PeerId;
  const client = { repo: undefined as unknown as Repo, device, cookie: '' };
  const adapter = new RelayClientAdapter(relay.syncUrl, {
    minDelayMs: 200,
    beforeConnect: async () => {
      const session = await postSession(relay.url, await signedRequest(relay.url, device, peerId));
      if (!session.cookie) throw new Error(`handshake refused: ${session.text}`);
      client.cookie = session.cookie;
    },
    createSocket: (url) =>
      new WebSocket(url, {
        headers: { cookie: client.cookie, origin: new URL(relay.url).origin },
      }) as unknown as globalThis.WebSocket,
  });
  client.repo = new Repo({
    network: [adapter],
    peerId,
    sharePolicy: () => Promise.resolve(true),
    ...(options.storage ? { storage: options.storage } : {}),
  });
  await waitFor(() => client.repo.peers.length > 0, 'the device to join the relay');
  return client;
}

/**
 * A new collection-like document, registered with the relay as a collection whose access document
 * has no entries: only its creator may write it, and anyone with its link (anonymous peers too)
 * may read it. Registered before its first sync, as the engine does.
 */
export async function createLinkVisible<T extends object>(
  relay: { url: string },
  client: DeviceClient,
  initial: T,
): Promise<DocHandle<T>> {
  const handle = createAuthored<T>(
    client.repo,
    { ...initial, creator: client.device.user.did },
    client.device.user.did,
  );
  const access = client.repo.create({
    kind: ACCESS_KIND,
    collection: handle.documentId,
    creator: client.device.user.did,
    entries: [],
  });
  const res = await fetch(new URL(ACCESS_REGISTER_PATH, relay.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', cookie: client.cookie },
    body: JSON.stringify({ collectionId: handle.documentId, accessId: access.documentId }),
  });
  if (!res.ok) throw new Error(`register: ${res.status} ${await res.text()}`);
  return handle;
}

/**
 * A Node device linked to a user by the pairing link one of the user's devices shows, as a second
 * browser would be (src/worker/identity/device-linking.ts): it offers its key, and once that device
 * confirms it holds a certificate chain of that user.
 */
export async function linkDevice(
  relay: { url: string },
  pairingLink: string,
  label = 'Node device',
): Promise<SessionDevice> {
  const secret = new URL(pairingLink).hash.replace(/^#\/pair\//, '');
  const device = await newKey();
  const mailbox = await mailboxOf(secret);
  const post = (path: string, body: unknown) =>
    fetch(new URL(path, relay.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const offered = await post(PAIRING_OFFER_PATH, {
    mailbox,
    offer: await makeOffer(secret, device.did, label),
  });
  if (offered.status !== 202) throw new Error(`offer refused: ${offered.status} ${await offered.text()}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const result = await post(PAIRING_RESULT_PATH, { mailbox, device: device.did });
    if (result.status === 204) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (result.status !== 200) throw new Error(`no answer: ${result.status} ${await result.text()}`);
    const { answer } = (await result.json()) as { answer?: unknown };
    const opened = (await openAnswer(secret, answer)) as { chain?: unknown } | undefined;
    const chain = await verifyChain(opened?.chain, device.did);
    if (!chain.ok) throw new Error(`bad certificate chain: ${chain.reason}`);
    return { user: { did: chain.user }, device, chain: opened!.chain as SessionDevice['chain'] };
  }
  throw new Error('the other device did not confirm the link in time');
}
