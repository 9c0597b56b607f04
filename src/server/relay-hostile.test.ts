// Hostile frames on raw sockets against a real relay process, while two well-behaved clients keep
// syncing through it.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeSyncMessage, generateSyncMessage, init, initSyncState } from '@automerge/automerge';
import {
  cbor,
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocHandle,
  type Repo,
} from '@automerge/automerge-repo';
import { buildRelay, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';
import { openRawSocket, sleep, waitFor, waitForRelayToHave, type RawSocket } from './testing/clients.ts';
import { connectDevice } from './testing/device-client.ts';

const MAX_FRAME = 64 * 1024;

interface Counter {
  n: number;
}

let relay!: SpawnedRelay;
let author!: Repo;
let reader!: Repo;
let ours!: DocHandle<Counter>;
let theirs!: DocHandle<Counter>;
const rawSockets: RawSocket[] = [];

async function health(): Promise<{
  ok: boolean;
  rejectedFrames: number;
  closedForJunk: number;
  socketErrors: number;
}> {
  const res = await fetch(`${relay.url}/healthz`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    ok: boolean;
    rejectedFrames: number;
    closedForJunk: number;
    socketErrors: number;
  };
}

/** The relay is alive, answers HTTP, and still relays a change from the author to the reader. */
async function expectStillSyncing(): Promise<void> {
  expect(relay.process.exitCode).toBeNull();
  expect((await health()).ok).toBe(true);
  ours.change((d) => {
    d.n += 1;
  });
  const want = ours.doc().n;
  await waitFor(() => theirs.doc().n === want, `reader to see n=${want}`);
}

async function raw(join = true): Promise<RawSocket> {
  const socket = await openRawSocket(relay.syncUrl);
  rawSockets.push(socket);
  if (join) {
    const peerReply = new Promise<void>((resolve) => socket.ws.once('message', () => resolve()));
    socket.ws.send(
      cbor.encode({ type: 'join', senderId: `raw-${rawSockets.length}`, supportedProtocolVersions: ['1'] }),
    );
    await peerReply;
  }
  return socket;
}

function senderOf(socket: RawSocket): string {
  return `raw-${rawSockets.indexOf(socket) + 1}`;
}

beforeAll(async () => {
  await buildRelay();
  relay = await spawnRelay({ maxFrameBytes: MAX_FRAME });
  author = (await connectDevice(relay)).repo;
  reader = (await connectDevice(relay)).repo;
  ours = author.create<Counter>({ n: 0 });
  await waitForRelayToHave(author, ours);
  theirs = await reader.find<Counter>(ours.url);
}, 60_000);

afterEach(() => {
  for (const socket of rawSockets) socket.ws.terminate();
});

afterAll(async () => {
  await author?.shutdown();
  await reader?.shutdown();
  if (relay) {
    const output = relay.output();
    expect(await relay.stop()).toBe(0);
    expect(output).not.toMatch(/unhandled rejection|uncaught/i);
    fs.rmSync(relay.dataDir, { recursive: true, force: true });
  }
});

describe('hostile frames', () => {
  it('drops junk frames one by one without closing the socket', async () => {
    const before = await health();
    const socket = await raw();
    const me = senderOf(socket);
    const docId = ours.documentId;
    const junk: (string | Uint8Array)[] = [
      new Uint8Array([0xff, 0x00, 0x13, 0x37]), // not CBOR
      'hello relay', // a text frame
      cbor.encode([1, 2, 3]), // CBOR, not a map
      cbor.encode(42),
      cbor.encode({ type: 'sync', senderId: 7, documentId: docId, data: new Uint8Array([1]) }),
      cbor.encode({ type: 'launch-missiles', senderId: me }),
      cbor.encode({ type: 'sync', senderId: me, documentId: docId }), // no data
      cbor.encode({ type: 'sync', senderId: me, documentId: 'not-a-doc-id', data: new Uint8Array([1]) }),
      cbor.encode({ type: 'sync', senderId: me, documentId: docId, data: 'text, not bytes' }),
      cbor.encode({ type: 'sync', senderId: me, documentId: docId, data: new Uint8Array([0x42, 1, 2]) }), // not a sync message
      cbor.encode({
        type: 'request',
        senderId: 'someone-else',
        documentId: docId,
        data: new Uint8Array([1]),
      }),
      cbor.encode({ type: 'ephemeral', senderId: me, documentId: docId, data: new Uint8Array([1]) }), // no count/sessionId
      cbor.encode({ type: 'remote-subscription-change', senderId: me, add: ['../../etc'] }),
      cbor.encode({ type: 'join', senderId: '__proto__' }),
    ];
    for (const frame of junk) socket.ws.send(frame);
    await sleep(200);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    const after = await health();
    expect(after.rejectedFrames - before.rejectedFrames).toBe(junk.length);
    await expectStillSyncing();
  });

  it('refuses a storage id that would become a path outside the data dir', async () => {
    const escape = path.join(path.dirname(relay.dataDir), `pinax-escape-${process.pid}`);
    const before = await health();
    const socket = await openRawSocket(relay.syncUrl);
    rawSockets.push(socket);
    const storageId = `../../../../${path.basename(escape)}`;
    socket.ws.send(
      cbor.encode({ type: 'join', senderId: 'sneaky', peerMetadata: { storageId, isEphemeral: false } }),
    );
    socket.ws.send(
      cbor.encode({
        type: 'request',
        senderId: 'sneaky',
        documentId: ours.documentId,
        data: firstSyncMessage(),
      }),
    );
    await sleep(400);
    expect((await health()).rejectedFrames - before.rejectedFrames).toBe(2);
    expect(fs.existsSync(escape)).toBe(false);
    await expectStillSyncing();
  });

  it('survives a well-formed sync message carrying garbage changes', async () => {
    const socket = await raw();
    const forged = encodeSyncMessage({
      heads: ['00'.repeat(32)],
      need: [],
      have: [],
      changes: [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9])],
    });
    const me = senderOf(socket);
    socket.ws.send(cbor.encode({ type: 'sync', senderId: me, documentId: ours.documentId, data: forged }));
    // The same for a document the relay has never seen.
    const fresh = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    socket.ws.send(cbor.encode({ type: 'sync', senderId: me, documentId: fresh, data: forged }));
    await sleep(400);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await expectStillSyncing();
    expect(theirs.doc().n).toBe(ours.doc().n);
  });

  it('quietly drops ephemeral messages a client forwards back with their original sender', async () => {
    const before = await health();
    const socket = await raw();
    // What automerge-repo does with a relayed ephemeral message: it forwards it to its other peers,
    // the relay included, still naming the device that first sent it.
    const forwarded = cbor.encode({
      type: 'ephemeral',
      senderId: 'pinax-some-other-device',
      targetId: 'relay',
      documentId: ours.documentId,
      sessionId: 'session',
      count: 1,
      data: new Uint8Array(cbor.encode({ hello: 'again' })),
    });
    for (let i = 0; i < 30; i++) socket.ws.send(forwarded);
    await sleep(200);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    expect((await health()).rejectedFrames - before.rejectedFrames).toBe(0);
    await expectStillSyncing();
  });

  it('closes a socket that keeps sending junk with 1003', async () => {
    const before = await health();
    const socket = await raw();
    for (let i = 0; i < 25; i++) socket.ws.send(new Uint8Array([0xff, i]));
    const closed = await socket.closed;
    expect(closed.code).toBe(1003);
    expect(closed.reason).toMatch(/too many invalid frames/);
    expect((await health()).closedForJunk - before.closedForJunk).toBe(1);
    await expectStillSyncing();
  });

  it('closes a socket that sends a zero-length frame with 1003', async () => {
    const socket = await raw();
    socket.ws.send(new Uint8Array(0));
    const closed = await socket.closed;
    expect(closed.code).toBe(1003);
    expect(closed.reason).toMatch(/zero-length/);
    await expectStillSyncing();
  });

  it('closes a socket that sends an oversized frame with 1009 and keeps serving others', async () => {
    const before = await health();
    const socket = await raw();
    socket.ws.send(new Uint8Array(MAX_FRAME + 1024));
    const closed = await socket.closed;
    expect(closed.code).toBe(1009);
    const after = await health();
    expect(after.socketErrors - before.socketErrors).toBe(1);
    expect(after.rejectedFrames - before.rejectedFrames).toBe(1);
    // A frame just under the limit is fine (it is junk, but it is read).
    const ok = await raw();
    ok.ws.send(new Uint8Array(MAX_FRAME - 16).fill(0xff));
    await sleep(200);
    expect(ok.ws.readyState).toBe(ok.ws.OPEN);
    await expectStillSyncing();
  });
});

/** A real opening sync message for an empty document (what `find()` sends). */
function firstSyncMessage(): Uint8Array {
  const [, message] = generateSyncMessage(init(), initSyncState());
  if (!message) throw new Error('no sync message');
  return message;
}
