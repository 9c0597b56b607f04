// Sharing by link: the Share dialog's link, Copy button and QR code; a fresh device opening the link
// gets every item and can search them; an unknown id and a link opened offline say what is going on.

import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { AppPage, expect, test } from './support/fixtures.ts';

test('a shared link opens the collection on a fresh device, searchable, with edits both ways', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  await a.createCollection('Shared recipes');
  await a.newItem({ title: 'Lentil soup', tags: 'soup', body: 'cumin and lemon' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);

  await a.page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = a.page.getByRole('dialog', { name: /Share/ });
  const link = await dialog.getByRole('textbox', { name: 'Share link' }).inputValue();
  expect(link).toMatch(new RegExp(`^${relay.appUrl.replace(/\/$/, '')}/?#/c/[1-9A-HJ-NP-Za-km-z]+$`));
  await expect(dialog.getByRole('img', { name: 'QR code' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('status')).toHaveText(/copied|copy the selected link/i);
  await dialog.getByRole('button', { name: 'Close' }).click();

  const b = await AppPage.open(await newDevice({ label: 'B' }), link);
  await expect(b.heading('Shared recipes')).toBeVisible();
  await expect(b.rowTitles()).toHaveText(['Lentil soup']);
  await b.page.getByRole('searchbox', { name: 'Search' }).fill('cumin');
  await expect(b.page.getByRole('list', { name: 'Search results' }).locator('.title')).toHaveText([
    'Lentil soup',
  ]);
  await b.page.getByRole('searchbox', { name: 'Search' }).fill('');

  await b.openItem('Lentil soup');
  await b.title().fill('Red lentil soup');
  await b.writesSettled();
  await a.page.bringToFront();
  await expect(a.rowTitles()).toHaveText(['Red lentil soup']);
});

test('an unknown id says it could not be found; a link opened offline waits, then completes', async ({
  relay,
  newDevice,
}) => {
  const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
  const stranger = await AppPage.open(await newDevice(), `${relay.appUrl}#/c/${documentId}`);
  await expect(stranger.page.getByRole('alert')).toContainText('This collection could not be found.', {
    timeout: 30_000,
  });

  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const collectionUrl = await a.createCollection('Opened offline');
  await a.newItem({ title: 'Arrives later' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);

  // B has the app, then loses its connection to the relay before opening the link.
  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  await expect(b.syncStatus()).toHaveText(/^Synced$/);
  await relay.stop();
  await expect(b.syncStatus()).toHaveText(/^(Offline|Connecting)$/);
  await b.page.evaluate((hash) => (location.hash = hash), new URL(collectionUrl).hash);
  await expect(b.page.getByRole('alert')).toContainText('Waiting for connection');
  await relay.restart();
  await expect(b.heading('Opened offline')).toBeVisible({ timeout: 30_000 });
  await expect(b.rowTitles()).toHaveText(['Arrives later']);
});
