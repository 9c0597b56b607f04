// Changes to the engine's IndexedDB made behind its back, as a lost or outdated store would leave it:
// from a same-origin page that is not the app (the relay's /healthz), while no engine runs.

import type { BrowserContext } from '@playwright/test';

/**
 * Deletes `key` from `store` of the `pinax` database, or every record when no key is given; returns
 * how many records the store holds afterwards.
 */
export async function deleteStored(
  context: BrowserContext,
  appUrl: string,
  store: string,
  key?: string,
): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(`${appUrl.replace(/\/$/, '')}/healthz`);
    return await page.evaluate(
      ({ store, key }) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('pinax');
          open.onerror = () => reject(new Error(String(open.error)));
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(store, 'readwrite');
            const records = tx.objectStore(store);
            if (key === null) records.clear();
            else records.delete(key);
            const count = records.count();
            tx.oncomplete = () => {
              db.close();
              resolve(count.result);
            };
            tx.onerror = () => reject(new Error(String(tx.error)));
          };
        }),
      { store, key: key ?? null },
    );
  } finally {
    await page.close();
  }
}
