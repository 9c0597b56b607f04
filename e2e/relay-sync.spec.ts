// Two devices (two browser profiles, each with its own engine and IndexedDB) sync through the relay,
// survive the relay crashing mid-session, and converge once it is back.

import { AppPage, expect, test } from './support/fixtures.ts';

test('two devices sync through the relay, and converge after it crashes and restarts', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const collectionUrl = await a.createCollection('Team reading list');
  await a.newItem({ title: 'Designing Data-Intensive Applications', tags: 'books' });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/);

  // B knows nothing but the link.
  const b = await AppPage.open(await newDevice({ label: 'B' }), collectionUrl);
  await expect(b.heading('Team reading list')).toBeVisible();
  await expect(b.rowTitles()).toHaveText(['Designing Data-Intensive Applications']);
  await expect(b.collectionLinks().filter({ hasText: 'Team reading list' })).toHaveCount(1);
  // A link alone lets B view; A makes B an editor.
  await a.shareForEditing(b);
  await b.canEdit();

  // B's edit reaches A (A has the item open, so both the row and the editor update).
  await a.page.bringToFront();
  await expect(a.title()).toHaveValue('Designing Data-Intensive Applications');
  await b.page.bringToFront();
  await b.openItem('Designing Data-Intensive Applications');
  await b.title().fill('DDIA (2nd edition)');
  await b.writesSettled();
  await a.page.bringToFront();
  await expect(a.rowTitles()).toHaveText(['DDIA (2nd edition)']);
  await expect(a.title()).toHaveValue('DDIA (2nd edition)');
  await expect(a.syncStatus()).toHaveText(/^Synced$/);
  await expect(b.syncStatus()).toHaveText(/^Synced$/);

  // The relay crashes: no clean close, no flush.
  await relay.stop('SIGKILL');
  await expect(a.syncStatus()).toHaveText(/^(Offline|Connecting)$/);
  await expect(b.syncStatus()).toHaveText(/^(Offline|Connecting)$/);

  await a.title().fill('DDIA, edited while the relay was down');
  await a.newItem({ title: 'Added while the relay was down' });
  await a.writesSettled();
  await expect(a.rowTitles()).toHaveText([
    'Added while the relay was down',
    'DDIA, edited while the relay was down',
  ]);
  // Nothing crossed over while the relay was down.
  await expect(b.rowTitles()).toHaveText(['DDIA (2nd edition)']);
  await expect(a.syncStatus()).toHaveText(/^(Offline|Connecting)$/);

  await relay.restart();
  await b.page.bringToFront();
  await expect(b.rowTitles()).toHaveText(
    ['Added while the relay was down', 'DDIA, edited while the relay was down'],
    { timeout: 45_000 },
  );
  await expect(b.title()).toHaveValue('DDIA, edited while the relay was down');
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  await expect(b.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  // And it still flows both ways after the restart.
  await b.tags().fill('books, distributed systems');
  await b.writesSettled();
  await a.page.bringToFront();
  await expect(a.itemRow('DDIA, edited while the relay was down').locator('.tag')).toHaveText([
    'books',
    'distributed systems',
  ]);
});
