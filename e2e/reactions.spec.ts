// Comments and likes in real browsers against a real relay: a viewer (a member) likes and comments,
// the owner sees both and likes too; a stranger with the link sees them but cannot react.

import { AppPage, expect, test } from './support/fixtures.ts';

test('members like and comment on an item; everyone sees it; a stranger cannot react', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Book club');
  await a.newItem({ title: 'Dune' });
  await a.writesSettled();

  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  await b.page.getByRole('button', { name: /^You:/ }).click();
  const you = b.page.getByRole('dialog', { name: 'You' });
  await you.getByRole('textbox', { name: 'Display name' }).fill('Bo');
  await you.getByRole('button', { name: 'Save' }).click();
  await expect(you.getByRole('status')).toHaveText('Saved.');
  await you.getByRole('button', { name: 'Close' }).click();
  await a.addMember(await b.userKey(), 'viewer');
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  await b.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await expect(b.rowTitles()).toHaveText(['Dune'], { timeout: 30_000 });
  await b.items().filter({ hasText: 'Dune' }).getByRole('link').click();
  const bReactions = b.page.getByRole('region', { name: 'Comments and likes' });
  await bReactions.getByRole('button', { name: 'Like (0)' }).click();
  await expect(bReactions.getByRole('button', { name: 'Liked (1)' })).toHaveAttribute('aria-pressed', 'true');
  await bReactions.getByRole('textbox', { name: 'Add a comment' }).fill('A classic.');
  await bReactions.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(bReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem')).toHaveCount(1);

  await a.openItem('Dune');
  const aReactions = a.page.getByRole('region', { name: 'Comments and likes' });
  const aComments = aReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem');
  await expect(aComments).toHaveCount(1, { timeout: 30_000 });
  await expect(aComments.first()).toContainText('Bo');
  await expect(aComments.first()).toContainText('A classic.');
  await expect(aComments.first()).not.toContainText('unverified');
  await aReactions.getByRole('button', { name: 'Like (1)' }).click();
  await expect(bReactions.getByRole('button', { name: 'Liked (2)' })).toBeVisible({ timeout: 30_000 });

  const c = await AppPage.open(await newDevice({ label: 'C' }), url);
  await expect(c.rowTitles()).toHaveText(['Dune'], { timeout: 30_000 });
  await c.items().filter({ hasText: 'Dune' }).getByRole('link').click();
  const cReactions = c.page.getByRole('region', { name: 'Comments and likes' });
  await expect(cReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem')).toHaveCount(1, {
    timeout: 30_000,
  });
  await expect(cReactions.getByRole('button', { name: 'Like (2)' })).toBeDisabled();
  await expect(cReactions.getByRole('textbox', { name: 'Add a comment' })).toHaveCount(0);
});
