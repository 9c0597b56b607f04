// The home document is where a profile's joined collections come from: the sidebar's rows are only
// its read model, rebuilt from it when they are lost.

import { AppPage, expect, test } from './support/fixtures.ts';
import { expectNoSharedWorker } from './support/workers.ts';
import { deleteStored } from './support/raw-idb.ts';

test('the collection list is rebuilt from the home document when its rows are lost', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  await app.createCollection('Kept in the home document');
  await app.createCollection('Also kept');
  await expect(app.collectionLinks()).toHaveCount(2);
  await Promise.all(context.pages().map((page) => page.close()));
  await expectNoSharedWorker(browser, relay.appUrl);

  // Wipe the sidebar's read model, and nothing else.
  expect(await deleteStored(context, relay.appUrl, 'collections')).toBe(0);

  const again = await AppPage.open(context, relay.appUrl);
  await expect(again.collectionLinks()).toHaveCount(2, { timeout: 15_000 });
  await expect(again.collectionLinks().filter({ hasText: 'Kept in the home document' })).toHaveCount(1);
  await expect(again.collectionLinks().filter({ hasText: 'Also kept' })).toHaveCount(1);
});
