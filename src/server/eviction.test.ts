// Idle eviction in a real relay process: documents nobody syncs leave memory while clients come
// and go, come back intact on the next request, keep syncing with a client that stayed connected,
// and are intact on disk after a restart.

import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomergeUrl, Repo } from '@automerge/automerge-repo';
import { buildRelay, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';
import { makeStaticFixture, sleep, waitFor, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice } from './testing/device-client.ts';

interface Note {
  title: string;
  lines: string[];
}

const IDLE_MS = 400;
let relay!: SpawnedRelay;
let staticDir: string;
const clients: Repo[] = [];

beforeAll(async () => {
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir, args: ['--evict-idle-ms', String(IDLE_MS)] });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown()));
  if (relay) expect(await relay.stop()).toBe(0);
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(relay.dataDir, { recursive: true, force: true });
});

async function client(): Promise<Repo> {
  const { repo } = await connectDevice(relay);
  clients.push(repo);
  return repo;
}

async function leave(repo: Repo): Promise<void> {
  clients.splice(clients.indexOf(repo), 1);
  await repo.shutdown();
}

/** The relay's resident document count (the directory document is always there). */
async function documentsInMemory(): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const match = /^pinax_relay_documents_in_memory (\d+)$/m.exec(text);
  if (!match) throw new Error('no documents_in_memory gauge');
  return Number(match[1]);
}

async function untilResident(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const resident = await documentsInMemory();
    if (resident === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} resident documents, still ${resident}`);
    await sleep(50);
  }
}

/** A client writes a document, waits for the relay to store it, and leaves. */
async function writeAndLeave(title: string, lines: number): Promise<AutomergeUrl> {
  const author = await client();
  const handle = author.create<Note>({ title, lines: Array.from({ length: lines }, (_, i) => `line ${i}`) });
  await waitForRelayToHave(author, handle);
  await leave(author);
  return handle.url;
}

describe('idle eviction', () => {
  it('drops idle documents from memory while clients come and go, and serves them again intact', async () => {
    await untilResident(1);
    const urls: AutomergeUrl[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) urls.push(await writeAndLeave(`note ${round}-${i}`, 50));
      // Memory stays flat: once idle, only the directory document is left.
      await untilResident(1);
    }
    const reader = await client();
    for (const [n, url] of urls.entries()) {
      const copy = await reader.find<Note>(url);
      expect(copy.doc().title).toBe(`note ${Math.floor(n / 5)}-${n % 5}`);
      expect(copy.doc().lines).toHaveLength(50);
    }
    await leave(reader);
    await untilResident(1);
  });

  it('keeps syncing a document with a client that stayed connected through its eviction', async () => {
    const author = await client();
    const handle = author.create<Note>({ title: 'kept open', lines: [] });
    await waitForRelayToHave(author, handle);
    await untilResident(1); // evicted although the author is still connected

    handle.change((doc) => doc.lines.push('written after eviction'));
    await waitForRelayToHave(author, handle);
    const reader = await client();
    const copy = await reader.find<Note>(handle.url);
    await waitFor(() => copy.doc().lines.includes('written after eviction'), 'the reader to see the edit');
    copy.change((doc) => doc.lines.push('reply'));
    await waitFor(() => handle.doc().lines.includes('reply'), 'the author to see the reply');
  });

  it('leaves evicted documents whole on disk: intact after a restart', async () => {
    const url = await writeAndLeave('survives', 200);
    await untilResident(1);
    await sleep(IDLE_MS); // any save left behind by the eviction would have run by now
    expect(await relay.stop()).toBe(0);
    relay = await spawnRelay({
      staticDir,
      dataDir: relay.dataDir,
      args: ['--evict-idle-ms', String(IDLE_MS)],
    });
    const reader = await client();
    const copy = await reader.find<Note>(url);
    expect(copy.doc().title).toBe('survives');
    expect(copy.doc().lines).toHaveLength(200);
  });
});
