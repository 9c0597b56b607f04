// Identity and authenticated connections, in the real browser against a real relay: every profile
// makes its own device keys on first run, and the engine opens an authenticated relay session
// before syncing; a handshake the relay refuses shows its reason in the sync details.

import { AppPage, expect, test } from './support/fixtures.ts';
import { expectNoSharedWorker } from './support/workers.ts';

async function metric(appUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', appUrl))).text();
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`no metric ${name}`);
  return Number(match[1]);
}

test('each device syncs over an authenticated session with its own keys', async ({ relay, newDevice }) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  await expect(b.syncStatus()).toHaveText(/^Synced$/);
  expect(await metric(relay.appUrl, 'pinax_relay_authenticated_connections')).toBe(2);
  expect(await metric(relay.appUrl, 'pinax_relay_handshakes_refused_total')).toBe(0);

  const identities = await Promise.all(
    [a, b].map((device) =>
      device.page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('pinax');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(new Error(String(open.error)));
        });
        const row = await new Promise<Record<string, unknown>>((resolve, reject) => {
          const get = db.transaction('identity').objectStore('identity').get('self');
          get.onsuccess = () => resolve(get.result as Record<string, unknown>);
          get.onerror = () => reject(new Error(String(get.error)));
        });
        db.close();
        const key = row['deviceKey'] as CryptoKey;
        return { user: row['user'], device: row['device'], extractable: key.extractable, type: key.type };
      }),
    ),
  );
  for (const identity of identities) {
    expect(identity.user).toMatch(/^did:key:z6Mk/);
    expect(identity.device).toMatch(/^did:key:z6Mk/);
    // The private key can sign and can never be read out.
    expect(identity).toMatchObject({ extractable: false, type: 'private' });
  }
  expect(identities[0]!.user).not.toBe(identities[1]!.user);
});

test('a handshake the relay refuses shows why in the sync details', async ({ relay, newDevice, browser }) => {
  const context = await newDevice();
  const a = await AppPage.open(context, relay.appUrl);
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  // Tamper with the device's own certificate, then start the engine again.
  await a.page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('pinax');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(new Error(String(open.error)));
    });
    await new Promise<void>((resolve, reject) => {
      const store = db.transaction('identity', 'readwrite').objectStore('identity');
      const get = store.get('self');
      get.onsuccess = () => {
        const row = get.result as { chain: Array<{ label: string }> };
        row.chain[0]!.label = 'tampered';
        const put = store.put(row);
        put.onsuccess = () => resolve();
        put.onerror = () => reject(new Error(String(put.error)));
      };
    });
    db.close();
  });
  await a.page.close();
  await expectNoSharedWorker(browser, relay.appUrl);

  const again = await AppPage.open(context, relay.appUrl);
  await again.page.getByRole('button', { name: 'Sync details' }).click();
  await expect(again.page.getByRole('definition').filter({ hasText: 'refused' })).toHaveText(
    'The relay refused this device: Handshake refused: bad certificate signature',
    { timeout: 20_000 },
  );
  await expect(again.syncStatus()).not.toHaveText('Synced');
});

test('a chosen display name shows with the key fingerprint, and others see it in presence', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const collectionUrl = await a.createCollection('Named');
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  const you = a.page.getByRole('button', { name: /^You: no name yet, key .{4}·.{4}$/ });
  await you.click();
  const dialog = a.page.getByRole('dialog', { name: 'You' });
  await dialog.getByRole('textbox', { name: 'Display name' }).fill('Ana Lima');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Saved.');
  const fingerprint = await dialog.locator('dd.fingerprint').innerText();
  expect(fingerprint).toMatch(/^.{4}·.{4}$/);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(a.page.getByRole('button', { name: `You: Ana Lima, key ${fingerprint}` })).toBeVisible();

  const b = await AppPage.open(await newDevice({ label: 'B' }), collectionUrl);
  await expect(b.heading('Named')).toBeVisible();
  await expect(b.page.getByRole('group', { name: 'Here now' }).getByRole('listitem')).toHaveText(
    ['Ana Lima'],
    {
      timeout: 15_000,
    },
  );

  // The name is kept: a reload still shows it.
  await a.page.reload();
  await expect(a.page.getByRole('button', { name: `You: Ana Lima, key ${fingerprint}` })).toBeVisible();
});
