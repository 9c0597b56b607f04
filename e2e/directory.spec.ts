// The relay's discovery directory: publishing on device A makes the collection appear on device B's
// Discover page, where B can filter it and open it; unpublishing removes it.

import { AppPage, expect, test } from './support/fixtures.ts';

test('a collection published on A appears on B’s Discover page and opens from there', async ({
  relay,
  newDevice,
}) => {
  const directory = (await (await fetch(`${relay.appUrl.replace(/\/$/, '')}/directory`)).json()) as {
    url: string;
  };
  expect(directory.url).toMatch(/^automerge:/);

  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  await a.createCollection('Birdwatching log');
  await a.newItem({ title: 'Heron at dawn', tags: 'herons' });
  await a.writesSettled();
  await (await a.collectionActions()).getByRole('button', { name: 'Publish to directory' }).click();
  await expect((await a.collectionActions()).getByRole('button', { name: 'Unpublish' })).toBeVisible();

  const b = await AppPage.open(await newDevice({ label: 'B' }), `${relay.appUrl}#/discover`);
  const listed = b.page.getByRole('list', { name: 'Published collections' }).getByRole('listitem');
  await expect(listed).toHaveCount(1, { timeout: 15_000 });
  await expect(listed).toContainText('Birdwatching log');
  await expect(listed).toContainText('#herons');
  await b.page.getByRole('searchbox', { name: 'Filter the directory' }).fill('heron');
  await expect(listed).toHaveCount(1);
  await b.page.getByRole('searchbox', { name: 'Filter the directory' }).fill('astronomy');
  await expect(listed).toHaveCount(0);
  await b.page.getByRole('searchbox', { name: 'Filter the directory' }).fill('');
  await listed.getByRole('link').click();
  await expect(b.heading('Birdwatching log')).toBeVisible();
  await expect(b.rowTitles()).toHaveText(['Heron at dawn']);

  await a.page.bringToFront();
  await (await a.collectionActions()).getByRole('button', { name: 'Unpublish' }).click();
  await b.page.goto(`${relay.appUrl}#/discover`);
  await expect(b.page.getByText('Nothing is published here yet.')).toBeVisible({ timeout: 15_000 });
});
