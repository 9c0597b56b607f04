// An acknowledged write is durable: the engine acknowledges a command only once its change is in
// IndexedDB, so closing every tab right after the acknowledgement (which ends the SharedWorker) loses
// nothing. The relay is down for the edit and the app is then served by an empty relay, so the data
// can only come from this device's IndexedDB (through the Dexie storage adapter, in real Chromium).

import fs from 'node:fs';
import { spawnRelay } from '../src/server/testing/spawn-relay.ts';
import { AppPage, expect, test } from './support/fixtures.ts';
import { closeEveryTab, sharedWorkers } from './support/workers.ts';

test('an edit acknowledged just before every tab closes is there after reopening', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await app.createCollection('Durable notes');
  await app.newItem({ title: 'First draft' });
  await app.writesSettled();
  expect(await sharedWorkers(browser, relay.appUrl)).toHaveLength(1);

  await relay.stop();
  await expect(app.syncStatus()).toHaveText(/^(Offline|Connecting)$/);

  await app.title().fill('Acknowledged, then every tab closed');
  await app.tags().fill('durable, kept');
  await app.writesSettled();
  // The engine really is gone: whatever the next tab sees was loaded back from IndexedDB.
  await closeEveryTab(browser, context, relay.appUrl);

  // Serve the app again from the same origin (same port, so the same IndexedDB), by a relay that
  // has never seen this collection.
  const empty = await spawnRelay({ port: relay.current().port });
  try {
    const reopened = await AppPage.open(context, collectionUrl);
    await expect(reopened.heading('Durable notes')).toBeVisible();
    await expect(reopened.rowTitles()).toHaveText(['Acknowledged, then every tab closed']);
    await reopened.openItem('Acknowledged, then every tab closed');
    await expect(reopened.tags()).toHaveValue('durable, kept');
    await expect(reopened.page.getByRole('navigation', { name: 'Collections' })).toContainText(
      'Durable notes',
    );
  } finally {
    await empty.kill();
    await fs.promises.rm(empty.dataDir, { recursive: true, force: true });
  }
});
