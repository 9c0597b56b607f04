// Bad input, from the user, from a broken tab and from a hostile network peer: refused visibly or
// dropped, never saved, never fatal.

import type { Page } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';
import { cbor, openRawSocket, randomBytes } from './support/raw-sync.ts';

interface PinaxHook {
  client: { command(cmd: unknown): Promise<unknown> };
  postRaw(message: unknown): void;
}

/** Sends a command straight to the engine (bypassing the UI's own checks); resolves with the RPC error. */
async function engineRejects(
  page: Page,
  cmd: Record<string, unknown>,
): Promise<{ code: string; message: string }> {
  return page.evaluate(async (command) => {
    try {
      await (globalThis as unknown as { __pinax: PinaxHook }).__pinax.client.command(command);
    } catch (error) {
      const rpc = (error as { rpc?: { code: string; message: string } }).rpc;
      if (rpc) return rpc;
      return { code: 'thrown', message: String(error) };
    }
    return { code: 'accepted', message: '' };
  }, cmd);
}

/** The collection and item ids from a URL like …#/c/<collection>/i/<item>. */
function idsOf(url: string): { collectionId: string; itemId: string } {
  const match = /#\/c\/([^/]+)\/i\/([^/]+)$/.exec(url);
  if (!match?.[1] || !match[2]) throw new Error(`not an item URL: ${url}`);
  return { collectionId: match[1], itemId: match[2] };
}

test.describe('over-long fields', () => {
  test('a 1001-character title is refused next to the field, and nothing is saved', async ({
    relay,
    newDevice,
  }) => {
    const app = await AppPage.open(await newDevice(), relay.appUrl);
    await app.createCollection('Limits');
    await app.newItem({ title: 'Short title' });
    await app.writesSettled();
    const ids = idsOf(app.page.url());

    await app.title().fill('t'.repeat(1001));
    await expect(app.title()).toHaveAttribute('aria-invalid', 'true');
    await expect(app.title()).toHaveAccessibleDescription(
      'Title is too long: 1001 of at most 1000 characters.',
    );
    await expect(app.page.getByRole('alert').filter({ hasText: 'Title is too long' })).toBeVisible();
    expect(await app.pendingWrites()).toBe(0);
    await expect(app.rowTitles()).toHaveText(['Short title']);

    // The engine enforces the limit too, for a tab that skips the UI's check.
    expect(
      await engineRejects(app.page, { type: 'updateItem', ...ids, title: 'u'.repeat(1001) }),
    ).toMatchObject({
      code: 'invalid',
      message: 'Title is too long: 1001 of at most 1000 characters.',
    });

    await app.page.reload();
    await expect(app.title()).toHaveValue('Short title');
    await expect(app.rowTitles()).toHaveText(['Short title']);
    await expect(app.title()).not.toHaveAttribute('aria-invalid');

    // Exactly at the limit is fine.
    await app.title().fill('v'.repeat(1000));
    await app.writesSettled();
    await expect(app.rowTitles()).toHaveText(['v'.repeat(1000)]);
    await expect(app.title()).not.toHaveAttribute('aria-invalid');
  });

  test('a body over 1,000,000 bytes is refused next to the field, and nothing is saved', async ({
    relay,
    newDevice,
  }) => {
    const app = await AppPage.open(await newDevice(), relay.appUrl);
    await app.createCollection('Limits');
    await app.newItem({ title: 'Big body', body: 'A short body.' });
    await app.writesSettled();
    await expect(app.rowSnippets()).toHaveText(['A short body.']);
    const ids = idsOf(app.page.url());

    await app.body().fill('x'.repeat(1_000_001));
    await expect(app.body()).toHaveAttribute('aria-invalid', 'true');
    await expect(app.body()).toHaveAccessibleDescription(/^Body is too large: .* Nothing was saved\.$/);
    await expect(app.page.getByRole('alert').filter({ hasText: 'Body is too large' })).toBeVisible();
    expect(await app.pendingWrites()).toBe(0);
    // Bytes, not characters: 500,001 two-byte characters are over the limit too.
    await app.body().fill('é'.repeat(500_001));
    await expect(app.body()).toHaveAccessibleDescription(/^Body is too large/);
    await expect(app.rowSnippets()).toHaveText(['A short body.']);

    expect(
      await engineRejects(app.page, { type: 'updateItem', ...ids, body: 'y'.repeat(1_000_001) }),
    ).toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^Body is too large/) as unknown as string,
    });

    await app.page.reload();
    await expect(app.body()).toHaveValue('A short body.');
    await expect(app.rowSnippets()).toHaveText(['A short body.']);
  });

  test('a 201-character collection name is refused in the dialog, and nothing is created', async ({
    relay,
    newDevice,
  }) => {
    const app = await AppPage.open(await newDevice(), relay.appUrl);
    await app.createCollection('The only collection');
    await expect(app.collectionLinks()).toHaveCount(1);

    await app.page.getByRole('button', { name: 'New collection', exact: true }).click();
    const dialog = app.page.getByRole('dialog', { name: 'New collection' });
    const name = dialog.getByRole('textbox', { name: 'Name', exact: true });
    await name.fill('n'.repeat(201));
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(name).toHaveAccessibleDescription('Name is too long: 201 of at most 200 characters.');
    await expect(dialog.getByRole('alert')).toHaveText('Name is too long: 201 of at most 200 characters.');
    await expect(dialog).toBeVisible();

    expect(await engineRejects(app.page, { type: 'createCollection', name: 'm'.repeat(201) })).toMatchObject({
      code: 'invalid',
      message: 'Name is too long: 201 of at most 200 characters.',
    });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(app.collectionLinks()).toHaveCount(1);
    await app.page.reload();
    await expect(app.heading('The only collection')).toBeVisible();
    await expect(app.collectionLinks()).toHaveCount(1);
  });
});

test('garbage posted to the engine port is dropped, and the engine keeps serving every tab', async ({
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const one = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await one.createCollection('Robust');
  const collectionId = collectionUrl.slice(collectionUrl.indexOf('#/c/') + 4);
  const two = await AppPage.open(context, collectionUrl);
  await expect(two.heading('Robust')).toBeVisible();

  await one.page.bringToFront();
  const dropped: string[] = [];
  one.page.on('console', (message) => {
    if (message.text().includes('dropped a malformed message from a tab')) dropped.push(message.text());
  });
  const garbage = await one.page.evaluate((collectionId) => {
    const messages: unknown[] = [
      null,
      42,
      'hello',
      'x'.repeat(3_000_000),
      [1, 2, 3],
      {},
      { t: 'cmd' },
      { t: 'cmd', id: 'one', cmd: { type: 'createCollection', name: 'via garbage' } },
      { t: 'cmd', id: 2 ** 60, cmd: { type: 'createCollection', name: 'via garbage' } },
      { t: 'cmd', id: 1, cmd: { type: 'nope' } },
      { t: 'cmd', id: 1, cmd: null },
      { t: 'cmd', id: 3, cmd: { type: 'createCollection', name: 'y'.repeat(2_000_001) } },
      { t: 'cmd', id: 4, cmd: { type: 'createCollection', name: 42 } },
      { t: 'cmd', id: 5, cmd: { type: 'addItem', collectionId, tags: 'not a list' } },
      { t: 'cmd', id: 6, cmd: { type: 'addItem', collectionId, tags: [1, 2] } },
      { t: 'cmd', id: 7, cmd: { type: 'addItem', collectionId, title: { toString: 'x' } } },
      { t: 'cmd', id: 8, cmd: { type: 'updateItem', collectionId } },
      {
        t: 'cmd',
        id: 9,
        cmd: { type: 'resolveConflict', collectionId, itemId: 'i', field: 'body', value: 'x' },
      },
      { t: 'cmd', id: 10, cmd: { type: 'deleteCollection', collectionId: '' } },
      { t: 'sub', id: 11, sub: { type: 'everything' } },
      { t: 'sub', id: 12, sub: { type: 'item', collectionId } },
      { t: 'sub', id: 13 },
      { t: 'unsub' },
      { t: 'hello' },
      { t: 'welcome', v: 1, mode: 'shared-worker' },
      { t: 'ack', id: 1, result: null },
      new ArrayBuffer(1024),
      new Date(0),
      new Map([['t', 'cmd']]),
      JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) as unknown,
    ];
    const hook = (globalThis as unknown as { __pinax: { postRaw(message: unknown): void } }).__pinax;
    for (const message of messages) hook.postRaw(message);
    return messages.length;
  }, collectionId);
  // Every one of them reached the engine and was logged and dropped (warnings reach the tab console).
  await expect.poll(() => dropped.length).toBe(garbage);

  // Well-formed requests for things that do not exist are answered with errors, not crashes.
  expect(
    await engineRejects(one.page, { type: 'updateItem', collectionId, itemId: 'no-such-item', title: 'x' }),
  ).toMatchObject({ code: 'not-found' });

  // The engine still works, for this tab and the other one.
  await one.newItem({ title: 'Added after the garbage' });
  await one.writesSettled();
  await two.page.bringToFront();
  await expect(two.rowTitles()).toHaveText(['Added after the garbage']);
  await expect(two.collectionLinks()).toHaveCount(1);
  await expect(one.collectionLinks()).toHaveCount(1);
});

test('a link with a malformed collection id leaves no junk in the collection list', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Real one');

  // Base58 of the right length (the router lets it through) with a wrong checksum: a mistyped or
  // truncated link. It can never name a document.
  // It says so, as a malformed link does, and does not promise that it will open later.
  const pageErrors: string[] = [];
  app.page.on('pageerror', (error) => pageErrors.push(error.message));
  await app.page.goto(`${relay.appUrl}/#/c/${'z'.repeat(28)}`);
  const alert = app.page.getByRole('alert');
  await expect(alert.getByRole('heading', { name: 'Link not recognised' })).toBeVisible();
  await expect(alert).toContainText('This collection link is malformed: its document id is not valid.');
  await expect(alert).not.toContainText('open by itself');
  // The engine's refusal is handled, not left as an uncaught error.
  expect(pageErrors).toEqual([]);
  // The same straight through the engine port, as a broken tab could send it.
  await engineRejects(app.page, { type: 'openCollection', collectionId: 'not a document id' });

  await app.page.goto(`${relay.appUrl}/`);
  await expect(app.page.getByRole('heading', { name: 'Your collections' })).toBeVisible();
  await expect(app.collectionLinks()).toHaveText([/^Real one/]);
});

test.describe('hostile sync peers', () => {
  const maxFrameBytes = 256 * 1024;
  test.use({ relayOptions: { maxFrameBytes } });

  test('garbage sent to /sync is dropped or closed while two devices keep syncing through the relay', async ({
    relay,
    newDevice,
    request,
  }) => {
    const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
    const collectionUrl = await a.createCollection('Under attack');
    await a.newItem({ title: 'Before the garbage' });
    await a.writesSettled();
    const b = await AppPage.open(await newDevice({ label: 'B' }), collectionUrl);
    await expect(b.rowTitles()).toHaveText(['Before the garbage']);
    await a.shareForEditing(b);
    await b.canEdit();
    const { syncUrl } = relay.current();

    // A frame over the limit: closed with 1009 (message too big).
    const oversized = await openRawSocket(syncUrl);
    await oversized.send(randomBytes(maxFrameBytes + 1));
    expect((await oversized.closed).code).toBe(1009);
    // ...and the relay is still up (an unhandled socket 'error' event would have crashed it just after).
    expect((await request.get(`${relay.current().url}/healthz`)).status()).toBe(200);

    // A zero-length frame: closed with 1003 (unsupported data).
    const empty = await openRawSocket(syncUrl);
    await empty.send(new Uint8Array(0));
    expect((await empty.closed).code).toBe(1003);

    // A flood of junk: random bytes, invalid CBOR, text frames, protocol-shaped lies. Dropped one by
    // one, and the socket is closed with 1003 once it is clearly not a peer.
    const flood = await openRawSocket(syncUrl);
    const junk: Array<Uint8Array | string> = [
      randomBytes(1),
      randomBytes(4096),
      Uint8Array.from([0xff, 0xfe, 0xfd]),
      Uint8Array.from([0xbf, 0x61]), // an unterminated map
      'not binary at all',
      cbor(null),
      cbor([1, 2, 3]),
      cbor({ type: 'sync', senderId: 'nobody', documentId: 'abc', data: randomBytes(8) }),
      cbor({ type: 'join', senderId: '__proto__' }),
      cbor({ type: 'join', senderId: 'peer-x', peerMetadata: { storageId: '../../../etc/passwd' } }),
      cbor({ type: 'join', senderId: 'x'.repeat(1000) }),
      cbor({ type: 'warp', senderId: 'peer-x' }),
    ];
    for (let i = 0; junk.length < 30; i++) junk.push(randomBytes(16 + i));
    for (const frame of junk) await flood.send(frame);
    expect((await flood.closed).code).toBe(1003);

    // A peer that joins properly and then sends sync frames whose data is not a sync message: each
    // is dropped, and the connection survives a few of them.
    const liar = await openRawSocket(syncUrl);
    await liar.send(
      cbor({ type: 'join', senderId: 'e2e-liar', peerMetadata: {}, supportedProtocolVersions: ['1'] }),
    );
    for (let i = 0; i < 3; i++)
      await liar.send(
        cbor({
          type: 'sync',
          senderId: 'e2e-liar',
          targetId: 'anyone',
          documentId: collectionUrl.slice(collectionUrl.indexOf('#/c/') + 4),
          data: randomBytes(64),
        }),
      );

    // Meanwhile the real devices keep syncing, both ways, through the same relay process.
    await a.page.bringToFront();
    await a.newItem({ title: 'After the garbage' });
    await a.writesSettled();
    await b.page.bringToFront();
    await expect(b.rowTitles()).toHaveText(['After the garbage', 'Before the garbage']);
    await b.openItem('After the garbage');
    await b.tags().fill('survived');
    await b.writesSettled();
    await a.page.bringToFront();
    await expect(a.itemRow('After the garbage').locator('.tag')).toHaveText(['survived']);
    await expect(a.syncStatus()).toHaveText(/^Synced$/);
    await expect(b.syncStatus()).toHaveText(/^Synced$/);

    const health = await request.get(`${relay.current().url}/healthz`);
    expect(health.status()).toBe(200);
    const stats = (await health.json()) as Record<string, number | boolean>;
    expect(stats).toMatchObject({ ok: true });
    expect(stats['rejectedFrames']).toBeGreaterThanOrEqual(junk.length);
    expect(stats['closedForJunk']).toBeGreaterThanOrEqual(2);
    expect(stats['socketErrors']).toBeGreaterThanOrEqual(1);
    expect(relay.current().process.exitCode).toBeNull();
    liar.socket.close();
  });
});
