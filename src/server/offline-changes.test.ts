// A device that edited a lot while the relay was down: after the relay restarts, the device's
// changes arrive in one sync message. The relay applies them (one at a time, see
// patches/README.md), stores them, and acknowledges the device's heads, so the device shows
// "Synced"; a fresh device then gets every edit.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImmutableString } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStaticFixture, waitFor, waitForRelayToHave } from './testing/clients.ts';
import { connectDevice } from './testing/device-client.ts';
import { buildRelay, spawnRelay, type SpawnedRelay } from './testing/spawn-relay.ts';

interface Shelf {
  titles: Record<string, ImmutableString>;
}

let relay!: SpawnedRelay;
let staticDir: string;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  await buildRelay();
  staticDir = makeStaticFixture();
  relay = await spawnRelay({ staticDir });
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (relay) await relay.kill();
  fs.rmSync(staticDir, { recursive: true, force: true });
  fs.rmSync(relay.dataDir, { recursive: true, force: true });
});

it('takes hundreds of offline edits in one sync after a restart, and acknowledges them', async () => {
  // Stored sync state, like the app's engine: after the restart it resumes from what the relay had.
  const deviceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinax-device-'));
  const { repo: device } = await connectDevice(relay, {
    storage: new NodeFSStorageAdapter(deviceDir),
    peerId: 'offline-editor',
  });
  cleanups.push(
    () => fs.rmSync(deviceDir, { recursive: true, force: true }),
    () => device.shutdown(),
  );
  const handle = device.create<Shelf>({ titles: {} });
  await waitForRelayToHave(device, handle);

  const { port, dataDir } = relay;
  expect(await relay.stop()).toBe(0);
  for (let i = 0; i < 300; i++)
    handle.change((doc) => {
      doc.titles[`item-${i % 40}`] = new ImmutableString(`offline title ${i}`);
    });
  relay = await spawnRelay({ port, dataDir, staticDir });

  await waitForRelayToHave(device, handle);
  expect(relay.output()).not.toMatch(/error receiving message|unhandled rejection/);
  const { repo: fresh } = await connectDevice(relay);
  cleanups.push(() => fresh.shutdown());
  const copy = await fresh.find<Shelf>(handle.url);
  await waitFor(
    () => JSON.stringify(copy.heads()) === JSON.stringify(handle.heads()),
    'the fresh device to catch up',
  );
  // 299 % 40 === 19: the last of the offline edits.
  expect(copy.doc().titles['item-19']?.toString()).toBe('offline title 299');
}, 60_000);
