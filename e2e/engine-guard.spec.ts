// Every engine enforces the roles too, not only the relay. Here the relay goes down, loses its disk
// and comes back empty: it knows no collection's members any more and passes every change on. The
// owner removed a member meanwhile, and the member kept editing; the owner's engine holds back
// what the removed member wrote.

import { AppPage, expect, test } from './support/fixtures.ts';

test('a removed member’s edit that a relay lets through is held back by the owner’s engine', async ({
  relay,
  newDevice,
}) => {
  test.setTimeout(150_000);
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Guarded notes');
  await a.newItem({ title: 'Agenda' });
  await a.writesSettled();

  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  await a.addMember(await b.userKey(), 'editor', 'Bea');
  await b.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await b.canEdit();
  await b.newItem({ title: 'From Bea, an editor' });
  await b.writesSettled();
  await expect(a.rowTitles()).toContainText(['From Bea, an editor'], { timeout: 15_000 });

  // The relay goes down. B keeps editing; A removes B.
  await relay.stop();
  await expect(b.syncStatus()).not.toHaveText(/^Synced$/, { timeout: 15_000 });
  await b.newItem({ title: 'From Bea, removed' });
  await b.writesSettled();
  await a.page.getByRole('button', { name: 'Members', exact: true }).click();
  const members = a.page.getByRole('dialog', { name: 'Members' });
  await members.getByRole('button', { name: 'Remove Bea' }).click();
  await expect(members.getByRole('status')).toHaveText('Member removed.');
  await members.getByRole('button', { name: 'Close' }).click();

  // It comes back with nothing: no registrations, so it guards nothing.
  const held = a.page.waitForEvent('console', {
    predicate: (message) => /held back \d+ change\(s\).*by did:key:/.test(message.text()),
    timeout: 60_000,
  });
  await relay.restart({ wipeData: true });
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  await expect(b.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  // B's edit reached A's engine through the relay, and was held back there.
  await held;
  await a.newItem({ title: 'From A, after the relay lost its data' });
  await a.writesSettled();
  await expect(b.rowTitles()).toContainText(['From A, after the relay lost its data'], { timeout: 15_000 });
  const titles = async () => (await a.rowTitles().allInnerTexts()).sort();
  await expect
    .poll(titles)
    .toEqual(['Agenda', 'From A, after the relay lost its data', 'From Bea, an editor']);
  await a.page.waitForTimeout(1_000);
  expect(await titles()).not.toContain('From Bea, removed');
});
