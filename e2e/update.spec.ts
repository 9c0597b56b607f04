// A new deploy never reloads the app under the user: the new service worker waits, the app says
// "Update available", and only the user's Reload switches to the new build.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnRelay, type SpawnedRelay } from '../src/server/testing/spawn-relay.ts';
import { buildApp } from './support/build.ts';
import { AppPage, expect, test } from './support/fixtures.ts';

test('a rebuilt app shows "Update available", and Reload switches to the new build', async ({
  newDevice,
}) => {
  test.slow();
  const staticDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pinax-e2e-app-'));
  let relay: SpawnedRelay | undefined;
  try {
    await buildApp(staticDir, 'e2e-v1');
    relay = await spawnRelay({ staticDir });
    const appUrl = `http://localhost:${relay.port}`;

    const app = await AppPage.open(await newDevice(), appUrl);
    await expect(app.page.getByText('Build e2e-v1', { exact: true })).toBeVisible();
    await app.serviceWorkerActivated();
    await app.page.reload();
    expect(await app.controlled()).toBe(true);
    const collectionUrl = await app.createCollection('Survives the update');
    await app.writesSettled();
    // Nothing to update yet: an update check finds the same service worker.
    await app.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const update = app.page.getByRole('status', { name: 'Update', exact: true });
    await expect(update).toHaveCount(0);

    // Deploy a new build under the running app, then let it check (as it does when the tab is shown).
    await buildApp(staticDir, 'e2e-v2');
    await app.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await expect(update).toContainText('Update available', { timeout: 30_000 });
    // Not applied by itself: still the old build until the user says so.
    await expect(app.page.getByText('Build e2e-v1', { exact: true })).toBeVisible();

    const reloaded = app.page.waitForEvent('load');
    await update.getByRole('button', { name: 'Reload', exact: true }).click();
    await reloaded;
    await expect(app.page.getByText('Build e2e-v2', { exact: true })).toBeVisible();
    await expect(update).toHaveCount(0);
    expect(app.page.url()).toBe(collectionUrl);
    await expect(app.heading('Survives the update')).toBeVisible();
    expect(await app.controlled()).toBe(true);
  } finally {
    await relay?.kill();
    for (const dir of [staticDir, relay?.dataDir])
      if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  }
});
