// Item history and time travel: versions are listed, a past version is shown read-only, restoring it
// writes the old title and body back as a new version; the collection timeline reaches deleted items.

import { AppPage, expect, test } from './support/fixtures.ts';

test('history lists versions; restoring one brings back its title and body as a new version', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Drafts');
  await app.newItem({ title: 'First title' });
  await app.body().fill('First body');
  await app.writesSettled();
  // Versions are separate changes; a pause keeps their times (whole seconds) apart too.
  await app.page.waitForTimeout(1100);
  await app.title().fill('Second title');
  await app.body().fill('Second body');
  await app.writesSettled();

  const historyButton = app.page.getByRole('button', { name: 'History', exact: true });
  await historyButton.click();
  const versions = app.page.getByRole('list', { name: 'Versions' }).getByRole('button');
  await expect(versions.first()).toBeVisible();
  // The panel opens below the editor, out of sight: it is scrolled into view, not left for the
  // user to find.
  await expect(app.page.getByRole('heading', { name: 'History', exact: true })).toBeInViewport();
  await expect(versions.first()).toBeInViewport();
  const before = await versions.count();
  expect(before).toBeGreaterThanOrEqual(3);

  // Find the version that shows the first title and body (read-only).
  const past = app.page.getByRole('article', { name: 'Past version' });
  let found = false;
  for (let i = 0; i < before && !found; i++) {
    await versions.nth(i).click();
    // The version loads from the engine; until then the panel still shows the one picked before.
    await expect(versions.nth(i)).toHaveAttribute('aria-pressed', 'true');
    await expect(past).toBeVisible();
    const text = await past.innerText();
    found = text.includes('First title') && text.includes('First body');
  }
  expect(found).toBe(true);
  await expect(past.getByRole('textbox')).toHaveCount(0);

  await past.getByRole('button', { name: 'Restore this version' }).click();
  await expect(app.title()).toHaveValue('First title');
  await expect(app.body()).toHaveValue('First body');
  await expect(app.rowTitles()).toHaveText(['First title']);
  // History was not rewritten: the restore adds versions on top (the title, and the body's edit).
  await expect.poll(() => versions.count()).toBeGreaterThanOrEqual(before + 2);
  // Typing "First title", then "Second title", then the restore of the first.
  await expect(versions.filter({ hasText: 'Title changed' })).toHaveCount(3);
  // Each names its author, as the members list does: this user.
  await expect(versions.filter({ hasText: 'Title changed' }).filter({ hasText: 'by you' })).toHaveCount(3);

  // Closing hands focus back to the button that opened it, not to the page.
  await app.page.getByRole('button', { name: 'Close history' }).click();
  await expect(versions).toHaveCount(0);
  await expect(historyButton).toBeFocused();
});

test('the collection timeline lists recent changes and restores a deleted item', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Timeline');
  await app.newItem({ title: 'Keep me' });
  await app.writesSettled();
  await app.newItem({ title: 'Delete me' });
  await app.writesSettled();
  app.page.once('dialog', (dialog) => void dialog.accept());
  await app.page.getByRole('button', { name: 'Delete item', exact: true }).click();
  await expect(app.rowTitles()).toHaveText(['Keep me']);

  await app.page.getByRole('button', { name: 'Timeline', exact: true }).click();
  const timeline = app.page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByText('Deleted', { exact: false }).first()).toBeVisible();
  await timeline.getByRole('button', { name: 'Restore “Delete me”' }).click();
  await expect(app.rowTitles()).toHaveText(['Delete me', 'Keep me']);
});
