// The collection toolbar keeps to one row: its less used actions (Follow, Publish, Rename, Delete)
// sit behind "More". That list works by keyboard as by pointer, and each action in it does its job.

import { AppPage, expect, test } from './support/fixtures.ts';

test('the toolbar fits one row, and "More" opens, closes and hands the focus back by keyboard', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.page.setViewportSize({ width: 1280, height: 720 });
  await app.createCollection('Field notes');

  const toolbarRows = await app.page
    .locator('.collection-header .toolbar > button')
    .evaluateAll((buttons) => new Set(buttons.map((b) => b.getBoundingClientRect().top)).size);
  expect(toolbarRows).toBe(1);

  const more = app.page.getByRole('button', { name: 'More', exact: true });
  const actions = app.page.getByRole('group', { name: 'More' });
  await expect(actions).toBeHidden();
  await more.focus();
  await app.page.keyboard.press('Enter');
  await expect(actions).toBeVisible();
  await expect(more).toHaveAttribute('aria-expanded', 'true');
  await expect(actions.getByRole('button')).toHaveText([
    'Follow',
    'Publish to directory',
    'Rename collection',
    'Delete collection',
  ]);
  // The actions come right after the button in the Tab order.
  await app.page.keyboard.press('Tab');
  await expect(actions.getByRole('button', { name: 'Follow', exact: true })).toBeFocused();
  await app.page.keyboard.press('Escape');
  await expect(actions).toBeHidden();
  await expect(more).toBeFocused();
  await expect(more).toHaveAttribute('aria-expanded', 'false');

  // A click anywhere else closes it too.
  await more.click();
  await expect(actions).toBeVisible();
  await app.page.getByRole('heading', { name: 'Field notes', exact: true }).click();
  await expect(actions).toBeHidden();
});

test('rename and delete a collection from "More"; a delete not confirmed keeps it', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Field notes');
  await app.newItem({ title: 'Wren by the gate' });

  await (await app.collectionActions()).getByRole('button', { name: 'Rename collection' }).click();
  await expect(app.page.getByRole('group', { name: 'More' })).toBeHidden();
  const name = app.page.getByRole('textbox', { name: 'Collection name' });
  await expect(name).toBeFocused();
  await name.fill('Garden birds');
  await name.press('Enter');
  await expect(app.heading('Garden birds')).toBeVisible();
  await expect(app.collectionLinks()).toHaveText([/Garden birds/]);

  // Dismissed: nothing happens.
  app.page.once('dialog', (dialog) => void dialog.dismiss());
  await (await app.collectionActions()).getByRole('button', { name: 'Delete collection' }).click();
  await expect(app.heading('Garden birds')).toBeVisible();
  await expect(app.rowTitles()).toHaveText(['Wren by the gate']);

  // Confirmed: gone from the list of collections, and the page goes home.
  app.page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('Garden birds');
    void dialog.accept();
  });
  await (await app.collectionActions()).getByRole('button', { name: 'Delete collection' }).click();
  await expect(app.page.getByRole('heading', { name: 'Your collections' })).toBeVisible();
  await expect(app.collectionLinks()).toHaveCount(0);
});
