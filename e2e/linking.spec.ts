// Linking a second device (A2) to a user, in real browsers against a real relay: A shows a pairing
// link, A2 opens it and confirms, and from then on A2 acts as A: same key, A's collections (from
// the home document), and edits as an owner; its other open tabs are told to reload. A spent or
// unknown code is refused with a reason.

import { newPairingSecret } from '../src/shared/identity/pairing.ts';
import type { BrowserContext } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';

test('a second device linked by its pairing code acts as the same user, with the same collections', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  await a.createCollection('Linked shelf');
  await a.newItem({ title: 'From the first device' });
  await a.writesSettled();
  const aKey = await a.userKey();
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  await a.page.getByRole('button', { name: /^You:/ }).click();
  const you = a.page.getByRole('dialog', { name: 'You' });
  await you.getByRole('button', { name: 'Link a device' }).click();
  const link = await you.getByRole('textbox', { name: 'Pairing link' }).inputValue();
  expect(link).toMatch(/#\/pair\/[A-Za-z0-9_-]{43}$/);
  await expect(you.getByRole('img', { name: 'Pairing QR code' })).toBeVisible();

  const a2Context = await newDevice({ label: 'A2' });
  const a2 = await AppPage.open(a2Context, relay.appUrl);
  await expect(a2.syncStatus()).toHaveText(/^Synced$/);
  expect(await a2.userKey()).not.toBe(aKey);
  // Another tab of A2, open through the linking: it is told to reload, and then acts as A too.
  const a2Other = await AppPage.open(a2Context, relay.appUrl);
  await a2.page.goto(link);
  await expect(a2.heading('Link this device')).toBeVisible();
  // The one-time code does not stay in the address bar or the history.
  await expect(a2.page).toHaveURL(/#\/pair$/);
  await a2.page.getByRole('button', { name: 'Link this device' }).click();

  await expect(you.getByRole('region', { name: 'Link a device' }).getByRole('status')).toContainText(
    'is linked',
    { timeout: 30_000 },
  );
  // A2 restarts as A: A's key, and A's collections arrive through the home document.
  await expect(a2.collectionLinks().filter({ hasText: 'Linked shelf' })).toBeVisible({ timeout: 30_000 });
  expect(await a2.userKey()).toBe(aKey);
  await a2.collectionLinks().filter({ hasText: 'Linked shelf' }).click();
  await expect(a2.rowTitles()).toHaveText(['From the first device'], { timeout: 30_000 });
  await expect(a2Other.page.getByRole('alert')).toContainText(
    'This device is now linked to your account. Reload to continue as you.',
  );
  await a2Other.page.getByRole('alert').getByRole('button', { name: 'Reload' }).click();
  await expect(a2Other.collectionLinks().filter({ hasText: 'Linked shelf' })).toBeVisible({
    timeout: 30_000,
  });
  await a2.canEdit();
  await a2.newItem({ title: 'From the linked device' });
  await a2.writesSettled();
  // Newest first.
  await expect(a.rowTitles()).toHaveText(['From the linked device', 'From the first device'], {
    timeout: 30_000,
  });
});

test('a pairing code that is unknown, expired or already used is refused with a reason', async ({
  relay,
  newDevice,
}) => {
  const stranger = await AppPage.open(await newDevice({ label: 'C' }), relay.appUrl);
  await expect(stranger.syncStatus()).toHaveText(/^Synced$/);
  await stranger.page.goto(`${relay.appUrl}/#/pair/${newPairingSecret()}`);
  await stranger.page.getByRole('button', { name: 'Link this device' }).click();
  await expect(stranger.page.getByRole('alert')).toContainText('invalid or has expired');

  await stranger.page.goto(`${relay.appUrl}/#/pair/not-a-code`);
  await expect(stranger.page.getByRole('alert')).toContainText('This pairing link is incomplete');
  await expect(stranger.page.getByRole('button', { name: 'Link this device' })).toHaveCount(0);
});

test('a revoked device is cut off: the relay refuses it, and its later edits reach no one', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  await a.createCollection('Guarded shelf');
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  const a2 = await linkSecondDevice(a, await newDevice({ label: 'A2' }));
  await a2.collectionLinks().filter({ hasText: 'Guarded shelf' }).click();
  await a2.canEdit();

  await a.page.getByRole('button', { name: /^You:/ }).click();
  const devices = a.page.getByRole('list', { name: 'Your devices' }).getByRole('listitem');
  await expect(devices).toHaveCount(2);
  await expect(devices.first()).toContainText('(this device)');
  const other = devices.nth(1);
  await other.getByRole('button', { name: /^Revoke / }).click();
  await other.getByRole('button', { name: /^Yes, revoke / }).click();
  await expect(a.page.getByRole('region', { name: 'Your devices' }).getByRole('status')).toContainText(
    'is revoked',
  );
  await expect(other).toContainText('(revoked)');
  await a.page.getByRole('dialog', { name: 'You' }).getByRole('button', { name: 'Close' }).click();

  // A2 is cut off at once and cannot reconnect; what it writes now stays with it.
  await expect(a2.syncStatus()).not.toHaveText('Synced', { timeout: 20_000 });
  await a2.page.getByRole('button', { name: 'Sync details' }).click();
  await expect(a2.page.getByRole('definition').filter({ hasText: 'refused' })).toContainText(
    'device revoked',
    {
      timeout: 20_000,
    },
  );
  await a2.newItem({ title: 'Written after revocation' });
  await a2.writesSettled();
  await a.newItem({ title: 'Written by A' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  await a.page.waitForTimeout(1_000);
  await expect(a.rowTitles()).toHaveText(['Written by A']);
});

test('a device that had collections of its own keeps owning them once linked, and so does its user', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  // Used on its own first: a collection, an item, and an edit made offline just before linking.
  const a2Context = await newDevice({ label: 'A2' });
  const a2Before = await AppPage.open(a2Context, relay.appUrl);
  await a2Before.createCollection('Shelf from before');
  await a2Before.newItem({ title: 'Written before linking' });
  await a2Before.writesSettled();
  await expect(a2Before.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  await a2Context.setOffline(true);
  await a2Before.title().fill('Edited offline before linking');
  await a2Before.writesSettled();
  await a2Context.setOffline(false);
  await a2Before.page.close();

  const a2 = await linkSecondDevice(a, a2Context);
  const shelf = a2.collectionLinks().filter({ hasText: 'Shelf from before' });
  await expect(shelf).toBeVisible({ timeout: 30_000 });
  await shelf.click();
  await a2.canEdit();
  await a2.newItem({ title: 'Written after linking' });
  await a2.writesSettled();
  await expect(a2.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  // The user's first device gets the collection through the home document, with every edit, and
  // may edit it too.
  const onA = a.collectionLinks().filter({ hasText: 'Shelf from before' });
  await expect(onA).toBeVisible({ timeout: 30_000 });
  await onA.click();
  await expect(a.rowTitles()).toHaveText(['Written after linking', 'Edited offline before linking'], {
    timeout: 30_000,
  });
  await a.canEdit();
});

test('a device linked to another user asks to join, as that user, where it was an editor', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  await a.setDisplayName('Ada');
  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  const url = await b.createCollection('Book club');
  await b.newItem({ title: 'Next book' });
  await b.writesSettled();
  await expect(b.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  // A2, used on its own first, becomes an editor of B's collection as its own user.
  const a2Context = await newDevice({ label: 'A2' });
  const a2Before = await AppPage.open(a2Context, url);
  await expect(a2Before.rowTitles()).toHaveText(['Next book'], { timeout: 30_000 });
  await a2Before.page.getByRole('button', { name: 'Request to join' }).click();
  await expect(a2Before.page.getByText('Request sent. An owner will let you in.')).toBeVisible();
  await answerRequest(b, /./, 'Approve as editor');
  await expect(a2Before.page.getByRole('button', { name: 'New item', exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await a2Before.page.close();

  // Linked to A, the device acts as A, whom B never let in: it has asked B, as A.
  const a2 = await linkSecondDevice(a, a2Context);
  await a2.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await expect(a2.rowTitles()).toHaveText(['Next book'], { timeout: 30_000 });
  await expect(a2.page.getByText('Request sent. An owner will let you in.')).toBeVisible({ timeout: 15_000 });
  await answerRequest(b, /Ada/, 'Approve as editor');
  await expect(a2.page.getByRole('button', { name: 'New item', exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await a2.newItem({ title: 'Written as Ada' });
  await a2.writesSettled();
  await expect(b.rowTitles()).toHaveText(['Written as Ada', 'Next book'], { timeout: 30_000 });
});

/** Links a new device to A's user through the You dialog's pairing link; returns it, restarted. */
async function linkSecondDevice(a: AppPage, context: BrowserContext): Promise<AppPage> {
  await a.page.getByRole('button', { name: /^You:/ }).click();
  const you = a.page.getByRole('dialog', { name: 'You' });
  await you.getByRole('button', { name: 'Link a device' }).click();
  const link = await you.getByRole('textbox', { name: 'Pairing link' }).inputValue();
  const a2 = await AppPage.open(context, link);
  await a2.page.getByRole('button', { name: 'Link this device' }).click();
  await expect(you.getByRole('region', { name: 'Link a device' }).getByRole('status')).toContainText(
    'is linked',
    {
      timeout: 30_000,
    },
  );
  await you.getByRole('button', { name: 'Close' }).click();
  await expect(a2.page.getByRole('heading', { name: 'Your collections' })).toBeVisible({ timeout: 30_000 });
  return a2;
}

/** The owner answers the one request to join whose entry matches `who`, in the Members dialog. */
async function answerRequest(owner: AppPage, who: RegExp, answer: string): Promise<void> {
  await owner.page.bringToFront();
  await owner.page.getByRole('button', { name: 'Members', exact: true }).click();
  const members = owner.page.getByRole('dialog', { name: 'Members' });
  const request = members
    .getByRole('list', { name: 'Requests to join' })
    .getByRole('listitem')
    .filter({ hasText: who });
  await expect(request).toHaveCount(1, { timeout: 15_000 });
  await request.getByRole('button', { name: answer }).click();
  await expect(members.getByRole('status')).toHaveText('Approved.');
  await members.getByRole('button', { name: 'Close' }).click();
}
