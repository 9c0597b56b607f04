// The relay adapter's incoming filter, over a real WebSocket on loopback: messages reach the Repo
// in the order they arrived, even when the filter takes its time over one of them, and one the
// filter fails on is dropped without holding up the rest.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { cbor, type Message, type PeerId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { WebSocket, WebSocketServer } from 'ws';
import { RelayClientAdapter } from './relay-client-adapter.ts';

const cleanups = cleanupsAfterEach();

describe('RelayClientAdapter with an incoming filter', () => {
  it('hands messages on in arrival order, whatever the filter’s delays, and drops one it fails on', async () => {
    const frames = ['slow', 'failing', 'fast', 'last'];
    const url = await relaySending(frames);
    const adapter = new RelayClientAdapter(url, {
      createSocket: (socketUrl) => new WebSocket(socketUrl) as unknown as globalThis.WebSocket,
      filterIncoming: (message) => {
        const tag = tagOf(message);
        if (tag === 'slow') return sleep(80).then(() => message);
        if (tag === 'failing') return Promise.reject(new Error('cannot check this one'));
        return message;
      },
    });
    const seen: string[] = [];
    adapter.on('message', (message) => seen.push(tagOf(message)));
    adapter.connect('engine-under-test' as PeerId);
    cleanups.push(() => adapter.disconnect());
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual(['slow', 'fast', 'last']);
  });
});

// ---- helpers ----

/** A server that answers the join, then sends one sync message per tag, back to back. */
async function relaySending(tags: string[]): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (socket) => {
    socket.once('message', () => {
      socket.send(cbor.encode({ type: 'peer', senderId: 'relay', targetId: 'engine-under-test' }));
      for (const tag of tags)
        socket.send(
          cbor.encode({
            type: 'sync',
            senderId: 'relay',
            targetId: 'engine-under-test',
            documentId: tag,
            data: new Uint8Array([1]),
          }),
        );
    });
  });
  cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

function tagOf(message: Message): string {
  return 'documentId' in message ? String(message.documentId) : message.type;
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(10);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
