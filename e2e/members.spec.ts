// Members and roles in the browser, against a real relay: a collection's creator owns it; an owner
// adds someone by their key as a viewer (read-only UI, edits refused) and then as an editor (takes
// effect without a reload); a members-only collection is not served to a stranger at all.

import type { Page } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';

async function userKey(page: Page): Promise<string> {
  await page.getByRole('button', { name: /^You:/ }).click();
  const dialog = page.getByRole('dialog', { name: 'You' });
  const key = await dialog.getByRole('textbox', { name: /Your key/ }).inputValue();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return key;
}

test('an owner adds a viewer, then makes them an editor; a stranger cannot see a members-only collection', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Team notes');
  await a.newItem({ title: 'Agenda' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);

  const bContext = await newDevice({ label: 'B' });
  const b = await AppPage.open(bContext, relay.appUrl);
  await expect(b.syncStatus()).toHaveText(/^Synced$/);
  const bKey = await userKey(b.page);
  expect(bKey).toMatch(/^did:key:z6Mk/);

  await a.page.getByRole('button', { name: 'Members', exact: true }).click();
  const members = a.page.getByRole('dialog', { name: 'Members' });
  await expect(members.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(1);
  await members.getByRole('textbox', { name: 'Member key' }).fill(bKey);
  await members.getByRole('textbox', { name: 'Name (optional)' }).fill('Bea');
  await members.getByRole('combobox', { name: 'Role', exact: true }).selectOption('viewer');
  await members.getByRole('button', { name: 'Add member' }).click();
  await expect(members.getByRole('status')).toHaveText('Member added.');
  await expect(members.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(2);

  // B opens the link: a viewer sees the items, and no way to edit them.
  await b.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await expect(b.heading('Team notes')).toBeVisible();
  await expect(b.rowTitles()).toHaveText(['Agenda']);
  await expect(b.page.getByRole('note')).toHaveText('You can view this collection but not edit it.');
  await expect(b.page.getByRole('button', { name: 'New item', exact: true })).toHaveCount(0);

  // A makes B an editor: B can add items, without a reload, and A sees them.
  await members.getByRole('combobox', { name: 'Role of Bea' }).selectOption('editor');
  await expect(members.getByRole('status')).toHaveText('Role changed.');
  await b.page.bringToFront();
  await expect(b.page.getByRole('button', { name: 'New item', exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await b.newItem({ title: 'From Bea' });
  await b.writesSettled();
  await a.page.bringToFront();
  await expect(a.rowTitles()).toContainText(['From Bea'], { timeout: 15_000 });
  // Items record who changed them; the owner sees the name it gave, with the key's fingerprint.
  await members.getByRole('button', { name: 'Close' }).click();
  await a.openItem('From Bea');
  await expect(a.page.getByText(/^Last changed by Bea \(.{4}·.{4}\)$/)).toBeVisible();
  // So does each version in its history: the author its change names, checked by the relay.
  await a.page.getByRole('button', { name: 'History', exact: true }).click();
  const versions = a.page.getByRole('list', { name: 'Versions' }).getByRole('button');
  await expect(versions.filter({ hasText: 'Created' })).toContainText(/by Bea \(.{4}·.{4}\)/);
  await a.page.getByRole('button', { name: 'Close history' }).click();
  await a.page.getByRole('button', { name: 'Close item' }).click();
  await a.page.getByRole('button', { name: 'Members', exact: true }).click();

  // Members only: a stranger with the link gets nothing.
  await members.getByRole('radio', { name: 'Members only' }).check();
  await expect(members.getByRole('status')).toHaveText('Only members can see it now.');
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  // The relay enforces it: no snapshot for someone without a session (as for an unknown id).
  const collectionId = new URL(url).hash.replace('#/c/', '');
  await expect
    .poll(async () => {
      const res = await fetch(new URL('/snapshot', relay.appUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ documentId: collectionId }),
      });
      return res.status;
    })
    .toBe(404);
  const c = await AppPage.open(await newDevice({ label: 'C' }), url);
  await expect(c.page.getByRole('alert')).toContainText('This collection could not be found.', {
    timeout: 30_000,
  });
});

test('a reader asks to join; the owner approves one request and denies another', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Book club');
  await a.newItem({ title: 'Next book' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);

  const c = await AppPage.open(await newDevice({ label: 'C' }), relay.appUrl);
  await c.setDisplayName('Cleo');
  await c.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await expect(c.rowTitles()).toHaveText(['Next book']);
  await c.page.getByRole('button', { name: 'Request to join' }).click();
  await expect(c.page.getByText('Request sent. An owner will let you in.')).toBeVisible();

  const d = await AppPage.open(await newDevice({ label: 'D' }), url);
  await expect(d.rowTitles()).toHaveText(['Next book']);
  await d.page.getByRole('button', { name: 'Request to join' }).click();
  await expect(d.page.getByText('Request sent. An owner will let you in.')).toBeVisible();

  await a.page.bringToFront();
  await a.page.getByRole('button', { name: 'Members', exact: true }).click();
  const members = a.page.getByRole('dialog', { name: 'Members' });
  const requests = members.getByRole('list', { name: 'Requests to join' });
  await expect(requests.getByRole('listitem')).toHaveCount(2, { timeout: 15_000 });
  await requests
    .getByRole('listitem')
    .filter({ hasText: 'Cleo' })
    .getByRole('button', { name: 'Approve as editor' })
    .click();
  await expect(members.getByRole('status')).toHaveText('Approved.');
  // The list follows the access document, which can land a moment after the acknowledgement:
  // until Cleo's request has left it, there are two Deny buttons.
  await expect(requests.getByRole('listitem')).toHaveCount(1);
  await requests.getByRole('listitem').getByRole('button', { name: 'Deny' }).click();
  await expect(members.getByRole('status')).toHaveText('Request denied.');
  await expect(members.getByRole('list', { name: 'Requests to join' })).toHaveCount(0);
  await expect(
    members.getByRole('list', { name: 'Members' }).getByRole('listitem').filter({ hasText: 'Cleo' }),
  ).toHaveCount(1);

  // Approval takes effect on C without a reload; D is back to asking.
  await c.page.bringToFront();
  await expect(c.page.getByRole('button', { name: 'New item', exact: true })).toBeVisible({
    timeout: 15_000,
  });
  await d.page.bringToFront();
  await expect(d.page.getByRole('button', { name: 'Request to join' })).toBeVisible({ timeout: 15_000 });
});
