// Presence through the relay: device B sees device A on a collection while A has it open (and on
// the item A edits), and A disappears within seconds of closing it. Nothing is stored.

import { AppPage, expect, test } from './support/fixtures.ts';

test('B sees A on the collection while A has it open, and A disappears after closing it', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const collectionUrl = await a.createCollection('Together');
  await a.newItem({ title: 'Agenda' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  const aName = ((await a.page.locator('.presence .self').innerText()).match(/Device \w+/) ?? [''])[0];
  expect(aName).toMatch(/^Device [0-9A-F]{4}$/);

  const b = await AppPage.open(await newDevice({ label: 'B' }), collectionUrl);
  await expect(b.heading('Together')).toBeVisible();
  const hereNow = b.page.getByRole('group', { name: 'Here now' });
  await expect(hereNow.getByRole('listitem')).toHaveText([aName], { timeout: 15_000 });

  // A has "Agenda" open in its editor: B sees that on the item.
  await b.openItem('Agenda');
  await expect(b.page.getByRole('status').filter({ hasText: 'is editing this item' })).toContainText(aName);

  await a.page.close();
  await expect(hereNow.getByRole('listitem')).toHaveCount(0, { timeout: 15_000 });
  await expect(hereNow).toContainText('Only you here');
});
