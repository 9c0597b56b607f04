// Keyboard first: the item list is walked with the arrows, Home and End, and Enter opens the row
// that has the focus, even far down a virtualized list whose rows are only rendered in view.

import { AppPage, expect, test } from './support/fixtures.ts';

test('arrows, Home and End move through the item list, and Enter opens the focused item', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  const collectionId = /#\/c\/([^/]+)/.exec(await app.createCollection('Shelf'))?.[1];
  expect(collectionId).toBeTruthy();
  const count = 300;
  await app.page.evaluate(
    async ({ collectionId, count }) => {
      const pinax = (
        globalThis as unknown as { __pinax: { client: { command(c: unknown): Promise<unknown> } } }
      ).__pinax;
      const items = Array.from({ length: count }, (_, i) => ({
        title: `Book ${String(i).padStart(3, '0')}`,
      }));
      await pinax.client.command({ type: 'addItems', collectionId, items });
    },
    { collectionId, count },
  );
  await expect(app.page.getByText(`${count} items`, { exact: true })).toBeVisible();
  const focusedTitle = () =>
    app.page.evaluate(
      () => document.activeElement?.closest('.item-row')?.querySelector('.title')?.textContent,
    );

  const first = await app.rowTitles().first().innerText();
  await app.rowTitles().first().click();
  await expect(app.title()).toHaveValue(first);
  await app.page.keyboard.press('Escape');
  await expect.poll(focusedTitle).toBe(first);

  // The list's order, as shown: the rows in view, top to bottom.
  const shown = await app.rowTitles().allInnerTexts();
  await app.page.keyboard.press('ArrowDown');
  await expect.poll(focusedTitle).toBe(shown[1]);
  await app.page.keyboard.press('ArrowDown');
  await expect.poll(focusedTitle).toBe(shown[2]);
  await app.page.keyboard.press('ArrowUp');
  await expect.poll(focusedTitle).toBe(shown[1]);

  // End reaches the last row, which was not rendered until the list scrolled to it.
  await app.page.keyboard.press('End');
  const last = await focusedTitle();
  expect(last).toMatch(/^Book \d{3}$/);
  expect(shown).not.toContain(last);
  await expect(app.page.locator('.item-row a:focus')).toBeInViewport();
  await app.page.keyboard.press('ArrowDown'); // stays on the last
  await expect.poll(focusedTitle).toBe(last);

  await app.page.keyboard.press('Enter');
  await expect(app.title()).toHaveValue(last!);
  await app.page.keyboard.press('Escape');
  await expect.poll(focusedTitle).toBe(last);
  await app.page.keyboard.press('Home');
  await expect.poll(focusedTitle).toBe(first);
  await expect(app.page.locator('.item-row a:focus')).toBeInViewport();
});
