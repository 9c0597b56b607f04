// After one online visit the app starts with no network at all: the service worker precaches the
// shell, the engine bundle and the Automerge wasm, and the data comes from IndexedDB.

import { AppPage, expect, test } from './support/fixtures.ts';
import { expectNoSharedWorker } from './support/workers.ts';

test('after a first visit the app and its data load with no network and no relay', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  await app.serviceWorkerActivated();
  // The first visit is not controlled (no clients.claim); the next load is.
  await app.page.reload();
  expect(await app.controlled()).toBe(true);

  // Everything the app needs is precached, the 3.6 MB wasm included.
  const cached = await app.page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  expect(cached.filter((url) => /\.wasm$/.test(url))).toHaveLength(1);
  expect(cached).toContain('/index.html');
  expect(cached.filter((url) => /\/shared-entry-[^/]+\.js$/.test(url))).toHaveLength(1);
  expect(cached.filter((url) => /\/engine-[^/]+\.js$/.test(url))).toHaveLength(1);

  const collectionUrl = await app.createCollection('Field notes');
  await app.newItem({ title: 'Written online', body: 'Seen without a network.' });
  await app.writesSettled();
  await expect(app.syncStatus()).toHaveText(/^Synced$/);

  await context.setOffline(true);
  await relay.stop();
  await app.page.reload();

  await expect(app.heading('Field notes')).toBeVisible();
  await expect(app.rowTitles()).toHaveText(['Written online']);
  await expect(app.rowSnippets()).toHaveText(['Seen without a network.']);
  await app.openItem('Written online');
  await expect(app.body()).toHaveValue('Seen without a network.');
  await expect(app.syncStatus()).toHaveText(/^(Offline|Connecting)$/);
  expect(app.page.url()).toContain(collectionUrl.slice(collectionUrl.indexOf('#')));

  // Still editable offline: the edit is acknowledged (durable locally) with no relay.
  await app.title().fill('Edited offline');
  await app.writesSettled();
  await expect(app.rowTitles()).toHaveText(['Edited offline']);

  // A cold start offline: with the SharedWorker gone, a new tab must fetch the engine bundle and the
  // wasm again, and only the service worker's cache can answer.
  await app.page.close();
  await expectNoSharedWorker(browser, relay.appUrl);
  const cold = await AppPage.open(context, collectionUrl);
  await expect(cold.heading('Field notes')).toBeVisible();
  await cold.openItem('Edited offline');
  await expect(cold.body()).toHaveValue('Seen without a network.');
  await cold.tags().fill('offline');
  await cold.writesSettled();
  await expect(cold.items().locator('.tag')).toHaveText(['offline']);

  // Importing loads the file formats' code on first use: offline, only the service worker has it.
  await cold.page.getByRole('button', { name: 'Import', exact: true }).click();
  await cold.page.getByLabel('Import file', { exact: true }).setInputFiles({
    name: 'offline.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('---\ntags: [field]\n---\n# Imported offline\n\nFrom a Markdown file.\n'),
  });
  await expect(cold.page.getByRole('status').filter({ hasText: 'Imported 1 item.' })).toBeVisible();
  await expect(cold.rowTitles()).toContainText(['Imported offline']);
});
