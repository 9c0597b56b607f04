// An acknowledged write is durable: the engine acknowledges a command only once its change is in
// IndexedDB, so closing every tab right after the acknowledgement (which ends the SharedWorker) loses
// nothing. The relay is down for the edit and the app is then served by an empty relay, so the data
// can only come from this device's IndexedDB (through the Dexie storage adapter, in real Chromium).

import fs from 'node:fs';
import { spawnRelay } from '../src/server/testing/spawn-relay.ts';
import { AppPage, expect, test } from './support/fixtures.ts';
import { closeEveryTab, sharedWorkers } from './support/workers.ts';

test('an edit acknowledged just before every tab closes is there after reopening', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await app.createCollection('Durable notes');
  await app.newItem({ title: 'First draft' });
  await app.writesSettled();
  expect(await sharedWorkers(browser, relay.appUrl)).toHaveLength(1);

  await relay.stop();
  await expect(app.syncStatus()).toHaveText(/^(Offline|Connecting)$/);

  await app.title().fill('Acknowledged, then every tab closed');
  await app.tags().fill('durable, kept');
  await app.writesSettled();
  // The engine really is gone: whatever the next tab sees was loaded back from IndexedDB.
  await closeEveryTab(browser, context, relay.appUrl);

  await withEmptyRelay(relay.current().port, async () => {
    const reopened = await AppPage.open(context, collectionUrl);
    await expect(reopened.heading('Durable notes')).toBeVisible();
    await expect(reopened.rowTitles()).toHaveText(['Acknowledged, then every tab closed']);
    await reopened.openItem('Acknowledged, then every tab closed');
    await expect(reopened.tags()).toHaveValue('durable, kept');
    await expect(reopened.page.getByRole('navigation', { name: 'Collections' })).toContainText(
      'Durable notes',
    );
  });
});

test('a compacted collection is stored deflated, and reopens whole from it', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await app.createCollection('Compacted notes');
  const documentId = new URL(collectionUrl).hash.replace('#/c/', '');
  const titles = ['One', 'Two', 'Three'];
  for (const title of titles) {
    await app.newItem({ title, body: `${title} `.repeat(200) });
    await app.writesSettled();
  }
  // Two seconds after the last write the engine compacts: one snapshot, deflated (src/worker/
  // storage/deflated-snapshots.ts: "PXD" and format 1), and no incremental chunks left.
  await expect
    .poll(() => storedChunks(app, documentId), { timeout: 20_000 })
    .toEqual({ packedSnapshots: 1, otherSnapshots: 0, incrementals: 0 });

  await relay.stop();
  await closeEveryTab(browser, context, relay.appUrl);
  await withEmptyRelay(relay.current().port, async () => {
    const reopened = await AppPage.open(context, collectionUrl);
    await expect(reopened.heading('Compacted notes')).toBeVisible();
    await expect(reopened.rowTitles()).toHaveText([...titles].reverse());
    await reopened.openItem('Two');
    await expect(reopened.body()).toHaveValue('Two '.repeat(200));
  });
});

/**
 * Runs `reopen` while the app is served again from the same origin (same port, so the same
 * IndexedDB) by a relay that has never seen this device's collections: what it shows of them can
 * only come from this device's storage.
 */
async function withEmptyRelay(port: number, reopen: () => Promise<void>): Promise<void> {
  const empty = await spawnRelay({ port });
  try {
    await reopen();
  } finally {
    await empty.kill();
    await fs.promises.rm(empty.dataDir, { recursive: true, force: true });
  }
}

/** The collection's chunks in IndexedDB, by kind, read beside the running engine. */
function storedChunks(app: AppPage, documentId: string) {
  return app.page.evaluate(
    (documentId) =>
      new Promise<{ packedSnapshots: number; otherSnapshots: number; incrementals: number }>(
        (resolve, reject) => {
          const open = indexedDB.open('pinax');
          open.onerror = () => reject(new Error(String(open.error)));
          open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction('chunks', 'readonly').objectStore('chunks').getAll();
            all.onerror = () => reject(new Error(String(all.error)));
            all.onsuccess = () => {
              db.close();
              const rows = (all.result as Array<{ key: string[]; data: Uint8Array }>).filter(
                (row) => row.key[0] === documentId,
              );
              const snapshots = rows.filter((row) => row.key[1] === 'snapshot');
              const packed = snapshots.filter((row) =>
                [0x50, 0x58, 0x44, 0x01].every((byte, i) => row.data[i] === byte),
              );
              resolve({
                packedSnapshots: packed.length,
                otherSnapshots: snapshots.length - packed.length,
                incrementals: rows.filter((row) => row.key[1] === 'incremental').length,
              });
            };
          };
        },
      ),
    documentId,
  );
}
