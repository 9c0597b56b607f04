// Typing is saved whatever happens to the editor around it: closing it with Escape, or opening
// another item, while the last keystrokes are still on their way to the engine; or typing before a
// new item's title has focus. Every character lands in the item it was typed into, and nowhere else.

import { AppPage, expect, test } from './support/fixtures.ts';

test('closing the editor right after typing keeps every keystroke, in the right item', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Quick notes');
  // Opening and closing items never reloads the collection: no "Opening collection…" comes back.
  await app.page.evaluate(() => {
    const seen = { reloads: 0 };
    (window as unknown as { __collectionReloads: typeof seen }).__collectionReloads = seen;
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (node instanceof HTMLElement && node.matches('[aria-busy="true"]')) seen.reloads++;
    }).observe(document.querySelector('main')!, { childList: true, subtree: true });
  });
  const titles = ['Beta item typed fast', 'Gamma thing typed fast', 'Delta typed fast'];
  for (const title of titles) {
    await app.page.keyboard.press('n');
    await expect(app.title()).toBeFocused();
    await app.page.keyboard.type(title);
    await app.page.keyboard.press('Escape');
    await expect(app.title()).toHaveCount(0);
  }
  const sortedTitles = async () => (await app.rowTitles().allInnerTexts()).sort();
  await expect.poll(sortedTitles).toEqual([...titles].sort());
  await app.writesSettled();
  expect(
    await app.page.evaluate(
      () => (window as unknown as { __collectionReloads: { reloads: number } }).__collectionReloads.reloads,
    ),
  ).toBe(0);

  // And stored so: after a reload they come back from IndexedDB as they were.
  await app.page.reload();
  await expect(app.rowTitles()).toHaveCount(titles.length);
  expect(await sortedTitles()).toEqual([...titles].sort());
});

test('opening another item right after typing saves the keystrokes to the item they were typed into', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Two items');
  await app.newItem({ title: 'First' });
  await app.writesSettled();
  await app.newItem({ title: 'Second' });
  await app.writesSettled();

  // Type into "Second", then at once open "First" from the list.
  await app.title().press('End');
  await app.page.keyboard.type(' and more typed fast');
  await app.items().getByText('First', { exact: true }).click();
  await expect(app.title()).toHaveValue('First');
  const sortedTitles = async () => (await app.rowTitles().allInnerTexts()).sort();
  await expect.poll(sortedTitles).toEqual(['First', 'Second and more typed fast']);
  await app.writesSettled();
  await expect(app.title()).toHaveValue('First');
});

test('letters typed right after "n", before the new title has focus, go into the title', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Fast start');
  // Deterministically: keys that arrive in the same task as "n", before anything could open.
  await app.page.evaluate(() => {
    const press = (key: string) =>
      (document.activeElement ?? document.body).dispatchEvent(
        new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }),
      );
    for (const key of 'nquick') press(key);
  });
  await expect(app.title()).toHaveValue('quick');
  await app.page.keyboard.press('Escape');
  await expect(app.title()).toHaveCount(0);

  // And as typed: the first letters of each title arrive while its item is still being created.
  const titles = ['nine new notes', 'noon nap', 'ten tiny nuts'];
  for (const title of titles) {
    await app.page.keyboard.press('n');
    await app.page.keyboard.type(title); // no wait

    await expect(app.title()).toHaveValue(title);
    await app.page.keyboard.press('Escape');
    await expect(app.title()).toHaveCount(0);
  }
  await app.writesSettled();
  expect((await app.rowTitles().allInnerTexts()).sort()).toEqual(['quick', ...titles].sort());
  // The n's in the titles started no other item.
  await expect(app.page.getByText(`${titles.length + 1} items`, { exact: true })).toBeVisible();
});
