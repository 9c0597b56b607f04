// A phone-sized window: the layout fits the screen (nothing wider than it, so nothing is cut off or
// out of reach), and the everyday path works: create a collection, add an item, search.

import { AppPage, expect, test } from './support/fixtures.ts';

test('on a 360 px wide screen nothing overflows sideways, and a collection and an item can be made', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.page.setViewportSize({ width: 360, height: 740 });
  const overflow = () =>
    app.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  await expect(app.page.getByRole('heading', { name: 'Your collections' })).toBeVisible();
  expect(await overflow()).toBe(0);

  await app.createCollection('Pocket notes');
  await expect(app.page.getByRole('button', { name: 'New item', exact: true })).toBeInViewport();
  expect(await overflow()).toBe(0);

  await app.newItem({ title: 'Written on a phone', tags: 'mobile' });
  await app.writesSettled();
  await expect(app.title()).toBeInViewport();
  expect(await overflow()).toBe(0);

  const search = app.page.getByRole('searchbox', { name: 'Search' });
  await expect(search).toBeInViewport();
  await search.fill('phone');
  await expect(app.page.getByRole('list', { name: 'Search results' }).getByRole('link')).toHaveCount(1);
  expect(await overflow()).toBe(0);
});
