// The installable shell: a linked, valid web app manifest with real icons, a relay health endpoint,
// and a first load without errors.

import { AppPage, expect, test } from './support/fixtures.ts';

interface ManifestIcon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): string {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

test('first load: no errors, a valid linked manifest with its icons, /healthz, data in IndexedDB', async ({
  relay,
  newDevice,
  request,
}) => {
  const context = await newDevice();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  const failed: string[] = [];
  page.on('requestfailed', (req) => failed.push(`${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.url()} ${response.status()}`);
  });
  await page.goto(relay.appUrl);
  const app = new AppPage(page);
  await expect(page.getByRole('heading', { name: 'Your collections' })).toBeVisible();
  await expect(page.getByText('No collections yet.')).toBeVisible();
  await expect(app.syncStatus()).toHaveText(/^Synced$/);
  await app.serviceWorkerActivated();

  // The manifest is linked from the page and served with its media type.
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href ?? '', relay.appUrl).toString();
  const response = await request.get(manifestUrl);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^application\/manifest\+json/);
  const manifest = (await response.json()) as Record<string, unknown>;
  expect(manifest).toMatchObject({
    name: 'Pinax',
    short_name: 'Pinax',
    start_url: '/',
    scope: '/',
    display: 'standalone',
  });
  expect(manifest['theme_color']).toMatch(/^#[0-9a-f]{6}$/i);
  expect(manifest['background_color']).toMatch(/^#[0-9a-f]{6}$/i);

  const icons = manifest['icons'] as ManifestIcon[];
  const any = icons.filter((icon) => (icon.purpose ?? 'any').split(' ').includes('any'));
  const maskable = icons.filter((icon) => (icon.purpose ?? '').split(' ').includes('maskable'));
  expect(any.map((icon) => icon.sizes).sort()).toEqual(['192x192', '512x512']);
  expect(maskable.length).toBeGreaterThanOrEqual(1);
  // Every icon exists, is a PNG, and has the size the manifest claims.
  for (const icon of icons) {
    const file = await request.get(new URL(icon.src, manifestUrl).toString());
    expect(file.status(), icon.src).toBe(200);
    expect(file.headers()['content-type'], icon.src).toBe(icon.type ?? 'image/png');
    expect(pngSize(await file.body()), icon.src).toBe(icon.sizes);
  }

  // The relay's health endpoint.
  const health = await request.get(`${relay.appUrl}/healthz`);
  expect(health.status()).toBe(200);
  expect(health.headers()['cache-control']).toBe('no-store');
  expect(await health.json()).toMatchObject({ ok: true });

  // Local-first storage: the engine keeps the documents (Automerge chunks) and the collection list
  // in this profile's IndexedDB.
  await app.createCollection('Stored here');
  await app.writesSettled();
  await expect
    .poll(() =>
      page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('pinax');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error ?? new Error('open failed'));
        });
        try {
          const count = (store: string) =>
            new Promise<number>((resolve, reject) => {
              const request = db.transaction(store, 'readonly').objectStore(store).count();
              request.onsuccess = () => resolve(request.result);
              request.onerror = () => reject(request.error ?? new Error('count failed'));
            });
          return { chunks: (await count('chunks')) > 0, collections: await count('collections') };
        } finally {
          db.close();
        }
      }),
    )
    .toEqual({ chunks: true, collections: 1 });

  expect(errors).toEqual([]);
  expect(failed).toEqual([]);
});
