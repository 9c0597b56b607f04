// Measure 4: a fresh profile opens a large collection's URL and receives it through a localhost
// relay. Device A holds the collection and has synced it (status "Synced"); before every run the
// relay is warm (A's engine has just synced with it). Device B is a brand-new persistent profile
// that navigates to "#/c/<id>". Times are ms since B's navigation started:
//   shown   the collection header says "<n> items" (all items are in B's list)
//   stored  B's IndexedDB holds the collection's chunks: from just after navigation the page polls
//           (every 25 ms, read-only) the keys of the engine's `chunks` store for this document
//           until they have not changed for 1.5 s after the items are shown; "stored" is the first
//           poll that saw that final key set. It can come before "shown": the engine stores the
//           relay's snapshot of the document before loading it.
// Then the proof: B's pages are closed (engine gone), the relay is STOPPED and the context set
// offline, and a new page opens the same URL from the service worker cache and B's IndexedDB
// alone; it must show all items again.

import {
  closeDevice,
  killEngine,
  launchDevice,
  marks as readMarks,
  waitForMarks,
  waitForServiceWorker,
  waitForSyncStatus,
} from '../lib/browser.mjs';
import { attachEngineProfiler, attachPageProfiler } from '../lib/engine-profiler.mjs';
import { summarize } from '../lib/stats.mjs';

async function pollStored(page, collectionId, countText, stableMs = 1500, timeoutMs = 60_000) {
  return page.evaluate(
    async ({ docId, countText, stableMs, timeoutMs }) => {
      const readKeys = async () => {
        // Opening a database that does not exist yet would create it (empty) under the engine.
        const names = (await indexedDB.databases()).map((info) => info.name);
        if (!names.includes('pinax')) return [];
        return new Promise((resolve, reject) => {
          const open = indexedDB.open('pinax');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            try {
              if (!db.objectStoreNames.contains('chunks')) {
                db.close();
                return resolve([]);
              }
              const tx = db.transaction('chunks', 'readonly');
              const req = tx.objectStore('chunks').getAllKeys(IDBKeyRange.bound([docId], [docId, []]));
              req.onsuccess = () => {
                db.close();
                resolve(
                  req.result
                    .filter((k) => k[1] === 'snapshot' || k[1] === 'incremental')
                    .map((k) => k.join('/'))
                    .sort(),
                );
              };
              req.onerror = () => {
                db.close();
                reject(req.error);
              };
            } catch (error) {
              db.close();
              reject(error);
            }
          };
        });
      };
      const started = performance.now();
      let last = '';
      let lastChangeAt = performance.now();
      for (;;) {
        const keys = await readKeys();
        const signature = keys.join('|');
        const t = performance.now();
        if (signature !== last) {
          last = signature;
          lastChangeAt = t;
        } else if (
          keys.length > 0 &&
          t - lastChangeAt >= stableMs &&
          document.body.textContent?.includes(countText)
        ) {
          return { storedAt: lastChangeAt, keys, timedOut: false };
        }
        if (t - started > timeoutMs) return { storedAt: null, keys, timedOut: true };
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    { docId: collectionId, countText, stableMs, timeoutMs },
  );
}

/**
 * @param relay { url, stop(), start() }: start() restarts the relay on the same port and data.
 * @param deviceA the seeded device; `rewarm(deviceA)` opens it, waits for "Synced", closes it.
 */
export async function measureFreshSync({
  relay,
  deviceA,
  rewarm,
  collectionId,
  count,
  runs,
  distDir,
  log = () => undefined,
}) {
  const countText = `${count} items`;
  const shown = [];
  const stored = [];
  const details = [];
  for (let run = 0; run < runs; run++) {
    const warm = await rewarm(deviceA);
    const deviceB = await launchDevice(`fresh-${run}`);
    const detail = { run, relayWarmMs: warm };
    try {
      const page = await deviceB.context.newPage();
      await page.goto(`${relay.url}/#/c/${collectionId}`);
      const storedPolling = pollStored(page, collectionId, countText);
      await waitForMarks(page, [`count:${countText}`], { timeout: 120_000 });
      const storedResult = await storedPolling;
      const marks = await readMarks(page);
      detail.shownMs = marks[`count:${countText}`];
      detail.storedMs = storedResult.storedAt;
      detail.storedKeys = storedResult.keys.length;
      detail.marks = marks;
      shown.push(detail.shownMs);
      if (storedResult.storedAt !== null) stored.push(storedResult.storedAt);
      log(
        `  fresh sync ${run + 1}/${runs}: shown ${detail.shownMs.toFixed(0)} ms, stored ${storedResult.storedAt?.toFixed(0)} ms`,
      );

      // Proof that everything is stored: offline reload from B's own IndexedDB, relay stopped.
      await waitForServiceWorker(page, 60_000);
      await killEngine(deviceB);
      await relay.stop();
      await deviceB.context.setOffline(true);
      const offline = await deviceB.context.newPage();
      await offline.goto(`${relay.url}/#/c/${collectionId}`);
      const ok = await waitForMarks(offline, [`count:${countText}`], { timeout: 60_000 }).then(
        () => true,
        (error) => {
          log(`  ${String(error.message).slice(0, 500)}`);
          return false;
        },
      );
      const offlineMarks = await readMarks(offline);
      detail.offlineReload = {
        allItemsShown: ok,
        countTexts: Object.keys(offlineMarks).filter((k) => k.startsWith('count:')),
        shownMs: offlineMarks[`count:${countText}`] ?? null,
        controlledByServiceWorker: await offline.evaluate(() => Boolean(navigator.serviceWorker.controller)),
      };
      log(`  offline reload of B: ${ok ? 'all items shown' : 'NOT all items shown'}`);
    } finally {
      await closeDevice(deviceB);
      await relay.start();
    }
    details.push(detail);
  }
  let profile = null;
  if (distDir !== undefined) {
    try {
      profile = await profileFreshSync({ relay, deviceA, rewarm, collectionId, countText, distDir });
    } catch (error) {
      log(`  profiled run failed: ${String(error?.message ?? error).split('\n')[0]}`);
    }
  }
  return {
    shownMs: summarize(shown),
    storedMs: summarize(stored),
    offlineReloadAllShown: details.every((d) => d.offlineReload?.allItemsShown === true),
    samples: { shownMs: shown, storedMs: stored },
    runs: details,
    profile,
  };
}

/**
 * One more, untimed run with CPU profiles of B's engine (attached as soon as its SharedWorker
 * exists, so the first ~100 ms are missed) and B's tab, until all items are shown and stored.
 */
async function profileFreshSync({ relay, deviceA, rewarm, collectionId, countText, distDir }) {
  await rewarm(deviceA);
  const deviceB = await launchDevice('fresh-profiled');
  try {
    const page = await deviceB.context.newPage();
    await page.goto(`${relay.url}/#/c/${collectionId}`, { waitUntil: 'commit' });
    const tab = await attachPageProfiler(deviceB.context, page, { distDir });
    await tab.start();
    const engine = await attachEngineProfiler(deviceB.context, page, { distDir });
    await engine.start();
    try {
      await waitForMarks(page, [`count:${countText}`], { timeout: 120_000 });
      const stored = await pollStored(page, collectionId, countText);
      const marks = await readMarks(page);
      return {
        note: 'profiled run (slower than the timed ones); the engine profile starts when its worker appears',
        shownMs: marks[`count:${countText}`],
        storedMs: stored.storedAt,
        engine: await engine.stop(1),
        tab: await tab.stop(1),
      };
    } finally {
      await engine.detach();
      await tab.detach();
    }
  } finally {
    await closeDevice(deviceB);
  }
}

/**
 * Opens device A on the collection, waits until it is loaded and the status says "Synced" (the
 * relay has acknowledged its heads), then closes it. Returns how long that took. It waits for the
 * collection first because the status only counts documents the engine has loaded: right after a
 * start it can say "Synced" before the collection is even loaded.
 */
export function makeRewarm({ baseUrl, openApp, collectionId, count, timeoutMs = 300_000 }) {
  return async (deviceA) => {
    const started = Date.now();
    const page = await openApp(deviceA, baseUrl, `#/c/${collectionId}`);
    await waitForMarks(page, [`count:${count} items`], { timeout: timeoutMs });
    await waitForSyncStatus(page, 'Synced', timeoutMs);
    await killEngine(deviceA);
    return Date.now() - started;
  };
}
