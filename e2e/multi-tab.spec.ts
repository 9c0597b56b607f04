// Two tabs of one browser profile see each other's writes live, without a reload: through the one
// SharedWorker engine they share, and through the fallback (a dedicated worker engine per tab,
// bridged over BroadcastChannel) when the browser has no SharedWorker.

import type { BrowserContext } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';
import { sharedWorkers } from './support/workers.ts';

async function twoTabsShareWrites(context: BrowserContext, appUrl: string): Promise<[AppPage, AppPage]> {
  const one = await AppPage.open(context, appUrl);
  const collectionUrl = await one.createCollection('Shared between tabs');
  const two = await AppPage.open(context, collectionUrl);
  await expect(two.heading('Shared between tabs')).toBeVisible();
  await expect(two.page.getByText('No items yet.')).toBeVisible();

  // An item added in tab one appears in tab two's list.
  await one.page.bringToFront();
  await one.newItem({ title: 'Written in tab one' });
  await one.writesSettled();
  await two.page.bringToFront();
  await expect(two.rowTitles()).toHaveText(['Written in tab one']);

  // Tab two opens it; an edit to its title in tab one reaches both tab two's row and its open editor.
  await two.openItem('Written in tab one');
  await one.page.bringToFront();
  await one.title().fill('Edited in tab one');
  await one.writesSettled();
  await two.page.bringToFront();
  await expect(two.rowTitles()).toHaveText(['Edited in tab one']);
  await expect(two.title()).toHaveValue('Edited in tab one');

  // And the other way round: tab two's edit reaches tab one.
  await two.tags().fill('from-two');
  await two.writesSettled();
  await one.page.bringToFront();
  await expect(one.tags()).toHaveValue('from-two');
  await expect(one.items().locator('.tag')).toHaveText(['from-two']);

  // A collection created in tab one joins tab two's sidebar (in the fallback, another engine wrote it).
  await one.page.bringToFront();
  await one.createCollection('Created later in tab one');
  await two.page.bringToFront();
  await expect(two.page.getByRole('link', { name: 'Created later in tab one' })).toBeVisible();
  return [one, two];
}

async function engineDetails(app: AppPage) {
  await app.page.getByRole('button', { name: 'Sync details', exact: true }).click();
  return app.page.getByRole('definition').filter({ hasText: /shared by all tabs|one per tab/ });
}

test('two tabs share one SharedWorker engine: adds and edits show up live', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const [one, two] = await twoTabsShareWrites(context, relay.appUrl);
  expect(await sharedWorkers(browser, relay.appUrl)).toHaveLength(1);
  for (const tab of [one, two]) {
    await tab.page.bringToFront();
    expect(await tab.page.evaluate(() => typeof SharedWorker)).toBe('function');
    await expect(await engineDetails(tab)).toHaveText(/^shared by all tabs/);
  }
});

test('without SharedWorker, per-tab engines bridged over BroadcastChannel still share writes', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice({ noSharedWorker: true });
  const [one, two] = await twoTabsShareWrites(context, relay.appUrl);
  expect(await sharedWorkers(browser, relay.appUrl)).toEqual([]);
  for (const tab of [one, two]) {
    await tab.page.bringToFront();
    expect(await tab.page.evaluate(() => typeof SharedWorker)).toBe('undefined');
    await expect(await engineDetails(tab)).toHaveText(/^one per tab \(fallback\)/);
  }
  // Exactly one of the two engines holds the relay connection (elected with a Web Lock).
  const holders = await Promise.all(
    [one, two].map((tab) => tab.page.getByText(', holds the relay connection').count()),
  );
  expect(holders.sort()).toEqual([0, 1]);
});

test('a row keeps its element and keyboard focus while another tab edits its item or adds one above', async ({
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const one = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await one.createCollection('Focus stays put');
  await one.newItem({ title: 'Older' });
  await one.newItem({ title: 'Newer' });
  await one.writesSettled();

  const two = await AppPage.open(context, collectionUrl);
  await expect(two.rowTitles()).toHaveText(['Newer', 'Older']);
  const olderLink = two.itemRow('Older').getByRole('link');
  await olderLink.focus();
  // Tagged, so the checks below see the same element, not a rebuilt one with the same text.
  await olderLink.evaluate((link) => link.setAttribute('data-probe', 'kept'));

  await one.page.bringToFront();
  await one.openItem('Older');
  await one.title().fill('Older, edited elsewhere');
  await one.writesSettled();
  await one.newItem({ title: 'Newest' });
  await one.writesSettled();

  await two.page.bringToFront();
  await expect(two.rowTitles()).toHaveText(['Newest', 'Newer', 'Older, edited elsewhere']);
  const focused = two.page.locator(':focus');
  await expect(focused).toHaveAttribute('data-probe', 'kept');
  await expect(focused).toContainText('Older, edited elsewhere');
});
