// POST /snapshot against the relay as a real child process: a whole document for a fresh device,
// kept current as the document changes, never found by guessing, and hostile requests refused.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Automerge from '@automerge/automerge';
import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { buildRelay, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';
import { makeStaticFixture, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice, createLinkVisible, type DeviceClient } from './testing/device-client.ts';
import { authored } from '../shared/access/authored.ts';

interface Note {
  title: string;
  tags: string[];
}

let relay!: SpawnedRelay;
let staticDir: string;
let writer!: DeviceClient;

beforeAll(async () => {
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir });
  writer = await connectDevice(relay);
}, 60_000);

afterAll(async () => {
  await writer.repo.shutdown();
  if (relay) expect(await relay.stop()).toBe(0);
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(relay.dataDir, { recursive: true, force: true });
});

const snapshot = (body: string | Uint8Array<ArrayBuffer>, method = 'POST'): Promise<Response> =>
  fetch(`${relay.url}/snapshot`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(method === 'POST' ? { body } : {}),
  });

describe('POST /snapshot', () => {
  it('returns the whole document as a loadable Automerge binary, current after each change', async () => {
    // Link-visible: the request below carries no session, as a fresh device's first one may not.
    const handle = await createLinkVisible<Note>(relay, writer, { title: 'first', tags: ['a'] });
    await waitForRelayToHave(writer.repo, handle);
    const first = await snapshot(JSON.stringify({ documentId: handle.documentId }));
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/octet-stream');
    expect(Automerge.load<Note>(new Uint8Array(await first.arrayBuffer()))).toEqual({
      title: 'first',
      tags: ['a'],
      creator: writer.device.user.did,
    });

    handle.change((d) => {
      d.title = 'second';
    }, authored(writer.device.user.did));
    await waitForRelayToHave(writer.repo, handle);
    const second = await snapshot(JSON.stringify({ documentId: handle.documentId }));
    const loaded = Automerge.load<Note>(new Uint8Array(await second.arrayBuffer()));
    expect(loaded.title).toBe('second');
    expect(Automerge.getHeads(loaded)).toEqual(Automerge.getHeads(handle.doc()));
  });

  it('serves a document the relay only has on disk, after a restart', async () => {
    const { status, bytes } = await snapshotAfterRestart('on disk');
    expect(status).toBe(200);
    expect(Automerge.load<Note>(bytes).title).toBe('on disk');
  }, 30_000);

  it('sends a document stored whole exactly as stored, without saving it again', async () => {
    let planted = new Uint8Array();
    const { status, bytes } = await snapshotAfterRestart('stored whole', (docDir, doc) => {
      // automerge-repo names a snapshot by its heads, as storedWholeDocument expects (it compares
      // that name with the heads of the document in memory).
      for (const name of fs.readdirSync(path.join(docDir, 'snapshot'))) {
        const heads = Automerge.getHeads(
          Automerge.load(fs.readFileSync(path.join(docDir, 'snapshot', name))),
        );
        expect(createHash('sha256').update(heads.join('')).digest('hex')).toBe(name);
      }
      // The storage made to hold one snapshot chunk that is not how Automerge would save the
      // document: its save, then its last change once more. It loads to the same document; saving
      // that again gives the shorter, canonical bytes.
      const last = Automerge.getAllChanges(doc).at(-1)!;
      planted = new Uint8Array([...Automerge.save(doc), ...last]);
      expect(Automerge.getHeads(Automerge.load(planted))).toEqual(Automerge.getHeads(doc));
      fs.rmSync(path.join(docDir, 'incremental'), { recursive: true, force: true });
      fs.rmSync(path.join(docDir, 'snapshot'), { recursive: true, force: true });
      fs.mkdirSync(path.join(docDir, 'snapshot'));
      fs.writeFileSync(path.join(docDir, 'snapshot', 'planted'), planted);
    });
    expect(status).toBe(200);
    expect(bytes).toEqual(planted);
  }, 30_000);

  it('answers 404 for an id it does not hold, without logging the id', async () => {
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const res = await snapshot(JSON.stringify({ documentId }));
    expect(res.status).toBe(404);
    expect(relay.output()).not.toContain(documentId);
  });

  it('refuses malformed requests and keeps serving', async () => {
    expect((await snapshot('', 'GET')).status).toBe(405);
    expect((await snapshot('not json')).status).toBe(400);
    expect((await snapshot('[]')).status).toBe(400);
    expect((await snapshot(JSON.stringify({ documentId: '../../etc/passwd' }))).status).toBe(400);
    expect((await snapshot(JSON.stringify({ documentId: 'x'.repeat(5000) }))).status).toBe(413);
    expect((await snapshot(new Uint8Array([0xff, 0xfe, 0, 1, 2]))).status).toBe(400);
    const health = await fetch(`${relay.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

/**
 * Creates a link-visible note on a relay of its own, stops the relay, lets `onDisk` change the note's
 * folder in its data directory, restarts it on that data and returns its answer to POST /snapshot
 * for the note (a request with no session, like a fresh device's first).
 */
async function snapshotAfterRestart(
  title: string,
  onDisk: (docDir: string, doc: Automerge.Doc<Note>) => void = () => undefined,
): Promise<{ status: number; bytes: Uint8Array }> {
  const own = await spawnRelay({ staticDir });
  try {
    const author = await connectDevice(own);
    const handle = await createLinkVisible<Note>(own, author, { title, tags: [] });
    // Every document the author made, the collection's access document included: the restarted
    // relay reads it to decide who may read the collection, and without it the request waits for
    // a peer that has it.
    for (const made of Object.values(author.repo.handles))
      if (made.isReady()) await waitForRelayToHave(author.repo, made);
    await within(10_000, 'the client repo to shut down', author.repo.shutdown());
    expect(await within(10_000, `the relay to stop\n${own.output()}`, own.stop('SIGTERM'))).toBe(0);
    const id = handle.documentId;
    onDisk(path.join(own.dataDir, id.slice(0, 2), id.slice(2)), handle.doc());
    const again = await spawnRelay({ staticDir, dataDir: own.dataDir });
    try {
      const res = await fetch(`${again.url}/snapshot`, {
        method: 'POST',
        body: JSON.stringify({ documentId: id }),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
    } finally {
      // Its answer is all this relay is for, and its data is deleted next: no graceful shutdown.
      await again.kill();
    }
  } finally {
    fs.rmSync(own.dataDir, { recursive: true, force: true });
  }
}

/** `promise`, or a failure naming `what` once `ms` have passed (rather than the test's own timeout). */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
