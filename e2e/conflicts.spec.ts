// Concurrent offline edits on two devices: a title (a single value) becomes a visible conflict that
// either device can resolve for both; a body (collaborative text) merges character by character.

import type { Page } from '@playwright/test';
import { AppPage, expect, test, type Fixtures, type RelayControl } from './support/fixtures.ts';

/** Device A creates a collection with one item; device B opens the link and the item. */
async function twoDevicesWithOneItem(relay: RelayControl, newDevice: Fixtures['newDevice'], title: string) {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const collectionUrl = await a.createCollection('Shared drafts');
  await a.newItem({ title });
  await a.writesSettled();
  const b = await AppPage.open(await newDevice({ label: 'B' }), collectionUrl);
  // A link alone lets B view; A makes B an editor.
  await expect(b.rowTitles()).toHaveText([title]);
  await a.shareForEditing(b);
  await b.canEdit();
  await b.openItem(title);
  return { a, b };
}

function conflict(page: Page) {
  return page.getByRole('group', { name: 'Title conflict', exact: true });
}

function keep(page: Page, value: string) {
  return conflict(page).getByRole('button', { name: `Keep “${value}”`, exact: true });
}

test('a concurrent title edit shows as a conflict on both devices; keeping one clears it on both', async ({
  relay,
  newDevice,
}) => {
  const { a, b } = await twoDevicesWithOneItem(relay, newDevice, 'Untitled draft');
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  await expect(b.syncStatus()).toHaveText(/^Synced$/);

  await relay.stop();
  await a.page.bringToFront();
  await a.title().fill('Alpha');
  await a.writesSettled();
  await b.page.bringToFront();
  await b.title().fill('Beta');
  await b.writesSettled();
  // Offline, each device sees only its own edit.
  await expect(b.rowTitles()).toHaveText(['Beta']);
  await expect(a.rowTitles()).toHaveText(['Alpha']);
  await expect(conflict(a.page)).toHaveCount(0);

  await relay.restart();
  for (const device of [a, b]) {
    await device.page.bringToFront();
    await expect(conflict(device.page)).toBeVisible({ timeout: 45_000 });
    await expect(keep(device.page, 'Alpha')).toBeVisible();
    await expect(keep(device.page, 'Beta')).toBeVisible();
    await expect(device.items().filter({ has: device.page.locator('.title') })).toHaveClass(/conflicted/);
  }
  // Both show the same winner while the conflict lasts (Automerge picks it deterministically).
  const winner = await a.rowTitles().textContent();
  expect(['Alpha', 'Beta']).toContain(winner);
  await expect(b.rowTitles()).toHaveText([winner ?? '']);

  await b.page.bringToFront();
  await keep(b.page, 'Alpha').click();
  await b.writesSettled();
  for (const device of [b, a]) {
    await device.page.bringToFront();
    await expect(conflict(device.page)).toHaveCount(0, { timeout: 30_000 });
    await expect(device.title()).toHaveValue('Alpha');
    await expect(device.rowTitles()).toHaveText(['Alpha']);
    await expect(device.items()).not.toHaveClass(/conflicted/);
  }
});

test('concurrent body edits merge by character, and the list snippet converges too', async ({
  relay,
  newDevice,
}) => {
  const { a, b } = await twoDevicesWithOneItem(relay, newDevice, 'Pangram');

  // A writes the first body (this creates the item's body document); B receives and shows it, so
  // both devices hold the body document before they go apart.
  await a.page.bringToFront();
  await a.body().fill('The quick fox');
  await a.writesSettled();
  await b.page.bringToFront();
  await expect(b.body()).toHaveValue('The quick fox');
  await expect(b.rowSnippets()).toHaveText(['The quick fox']);
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  await expect(b.syncStatus()).toHaveText(/^Synced$/);

  await relay.stop();
  await a.page.bringToFront();
  await a.body().fill('The very quick fox');
  await a.writesSettled();
  await b.page.bringToFront();
  await b.body().fill('The quick fox jumps');
  await b.writesSettled();
  await expect(b.rowSnippets()).toHaveText(['The quick fox jumps']);
  await a.page.bringToFront();
  await expect(a.rowSnippets()).toHaveText(['The very quick fox']);

  await relay.restart();
  for (const device of [a, b]) {
    await device.page.bringToFront();
    await expect(device.body()).toHaveValue('The very quick fox jumps', { timeout: 45_000 });
    await expect(device.rowSnippets()).toHaveText(['The very quick fox jumps']);
  }
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  await expect(b.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  // Settled, the snippets still agree (no late snapshot write flips one of them back).
  for (const device of [a, b]) {
    await device.page.bringToFront();
    await expect(device.rowSnippets()).toHaveText(['The very quick fox jumps']);
    await expect(device.body()).toHaveValue('The very quick fox jumps');
  }
});
