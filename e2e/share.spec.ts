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

  // The link lets B view; to edit, A adds B as an editor.
  await expect(b.page.getByRole('note')).toHaveText('You can view this collection but not edit it.');
  await a.shareForEditing(b);
  await b.canEdit();
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

test('a 2,000-item collection opened on a fresh device shows its progress, then every item, searchable', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Big shelf');
  const collectionId = new URL(url).hash.replace('#/c/', '');
  await a.page.evaluate(async (collectionId) => {
    const client = (window as unknown as { __pinax: { client: PinaxClient } }).__pinax.client;
    for (let batch = 0; batch < 2; batch++) {
      const items = Array.from({ length: 1000 }, (_, i) => ({
        title: `Shelf item ${batch * 1000 + i}`,
        body: `shelfword ${'filler text '.repeat(60)}`,
        tags: ['shelf'],
      }));
      await client.command({ type: 'addItems', collectionId, items });
    }
  }, collectionId);
  await expect(a.page.getByText('2000 items')).toBeVisible();
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  // B records every progress bar it shows, however briefly.
  const bContext = await newDevice({ label: 'B' });
  await bContext.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __progressSeen: string[] }).__progressSeen = seen;
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('progress')) {
        const label = bar.getAttribute('aria-label') ?? '';
        if (seen.at(-1) !== label) seen.push(label);
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  const b = await AppPage.open(bContext, url);
  await expect(b.heading('Big shelf')).toBeVisible({ timeout: 30_000 });
  await expect(b.page.getByText('2000 items')).toBeVisible();
  // The items bar goes away once all 2,000 are stored and indexed on B.
  await expect(b.page.getByRole('progressbar', { name: /^Receiving/ })).toHaveCount(0, { timeout: 30_000 });
  const seen = await b.page.evaluate(
    () => (window as unknown as { __progressSeen: string[] }).__progressSeen,
  );
  expect(seen.some((label) => /^Receiving [\d,]+ of 2,000 items$/.test(label))).toBe(true);

  await b.page.getByRole('searchbox', { name: 'Search' }).fill('shelfword');
  await expect(b.page.getByRole('status', { name: 'Search status' })).toHaveText('2000 results');
  await b.page.getByRole('searchbox', { name: 'Search' }).fill('1999');
  await expect(b.page.getByRole('list', { name: 'Search results' }).locator('.title').first()).toHaveText(
    'Shelf item 1999',
  );
});

interface PinaxClient {
  command(cmd: unknown): Promise<unknown>;
}
