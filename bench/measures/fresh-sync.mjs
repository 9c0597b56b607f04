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
//   searchable  a search subscription opened in B's page for a token every item of the collection
//           has (`item`: every lib/data.mjs body starts with "Item <i>.") reports total === n with
//           indexing.pending === 0. A page init script polls (every few ms) for window.__pinax and
//           subscribes as soon as the client exists; the page's own code is unchanged. The query is
//           first checked on device A (it must count exactly n items there).
// Then the proof: B's pages are closed (engine gone), the relay is STOPPED and the context set
// offline, and a new page opens the same URL from the service worker cache and B's IndexedDB
// alone; it must show all items again.

import {
  closeDevice,
  killEngine,
  launchDevice,
  marks as readMarks,
  openApp,
  waitForMarks,
  waitForServiceWorker,
  waitForSyncStatus,
} from '../lib/browser.mjs';
import { attachEngineProfiler, attachEngineSession, attachPageProfiler } from '../lib/engine-profiler.mjs';
import { summarize } from '../lib/stats.mjs';

/** The search token every lib/data.mjs item has: each body starts with "Item <i>.". */
export const SEARCH_TOKEN = 'item';

/**
 * Page init script (before the app's code): polls for window.__pinax.client and, as soon as it
 * exists, subscribes to a search for `query` in the collection. Records (ms since navigation start)
 * when it subscribed, the first payload, and the first payload with total === count and no
 * indexing pending. Only observes: the subscription is one more engine client, nothing is wrapped.
 */
function searchWatchScript({ collectionId, query, count }) {
  if (!/^https?:$/.test(location.protocol)) return;
  const now = () => performance.now();
  const t = {
    subscribedAt: null,
    firstPayloadAt: null,
    searchableAt: null,
    payloads: 0,
    last: null,
    log: [],
    unsubscribe: null,
  };
  window.__freshSearch = t;
  const poll = () => {
    const client = window.__pinax?.client;
    if (!client) {
      setTimeout(poll, 2);
      return;
    }
    t.subscribedAt = now();
    t.unsubscribe = client.subscribe({ type: 'search', query, collectionId }, (p) => {
      const at = now();
      t.payloads++;
      t.firstPayloadAt ??= at;
      t.last = { at, total: p.total, pending: p.indexing.pending, tookMs: p.tookMs };
      if (t.log.length < 400) t.log.push([at, p.total, p.indexing.pending, p.indexing.total]);
      if (t.searchableAt === null && p.total === count && p.indexing.pending === 0) t.searchableAt = at;
    });
  };
  poll();
}

/**
 * Checks on a device that already holds the collection that `query` counts exactly `count` items
 * in it (the subscription's first payload with no indexing pending). Throws if it does not, since
 * "searchable" could then never be reached. Leaves the device with no engine running.
 */
export async function checkSearchQuery({ device, baseUrl, collectionId, count, query, timeoutMs = 120_000 }) {
  try {
    const page = await openApp(device, baseUrl, `#/c/${collectionId}`);
    await waitForMarks(page, [`count:${count} items`], { timeout: timeoutMs });
    const result = await page.evaluate(
      ({ collectionId, query, count, timeoutMs }) =>
        new Promise((resolve) => {
          let last = null;
          let unsubscribe = () => undefined;
          const done = (ok) => {
            clearTimeout(timer);
            unsubscribe();
            resolve({ ok, last });
          };
          const timer = setTimeout(() => done(false), timeoutMs);
          unsubscribe = window.__pinax.client.subscribe({ type: 'search', query, collectionId }, (p) => {
            last = { total: p.total, pending: p.indexing.pending, hits: p.hits.length, tookMs: p.tookMs };
            if (p.indexing.pending === 0 && p.total === count) done(true);
          });
        }),
      { collectionId, query, count, timeoutMs },
    );
    if (!result.ok)
      throw new Error(
        `the query "${query}" does not count all ${count} items on device A: last payload ${JSON.stringify(result.last)}`,
      );
    return { query, ...result.last };
  } finally {
    await killEngine(device);
  }
}

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
  query = SEARCH_TOKEN,
  label = 'fresh',
  log = () => undefined,
}) {
  const countText = `${count} items`;
  const queryCheck = await checkSearchQuery({
    device: deviceA,
    baseUrl: relay.url,
    collectionId,
    count,
    query,
  });
  log(`  query "${query}" counts ${queryCheck.total} of ${count} items on device A`);
  const shown = [];
  const stored = [];
  const searchable = [];
  const subscribed = [];
  const details = [];
  let searchTimeouts = 0;
  for (let run = 0; run < runs; run++) {
    const warm = await rewarm(deviceA);
    const deviceB = await launchDevice(`${label}-${run}`);
    // launchSettleMs: how long the new browser took to finish starting (lib/browser.mjs), untimed.
    const detail = { run, relayWarmMs: warm, launchSettleMs: Math.round(deviceB.settleMs) };
    try {
      const page = await deviceB.context.newPage();
      await page.addInitScript(searchWatchScript, { collectionId, query, count });
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
      // Searchable: usually long reached by now (stored waits 1.5 s of quiet); else wait for it.
      const searchOk = await page
        .waitForFunction(() => (window.__freshSearch?.searchableAt ?? null) !== null, null, {
          timeout: 120_000,
          polling: 50,
        })
        .then(
          () => true,
          () => false,
        );
      const search = await page.evaluate(() => {
        const { unsubscribe, ...rest } = window.__freshSearch;
        unsubscribe?.();
        return rest;
      });
      detail.searchableMs = search.searchableAt;
      detail.search = search;
      if (search.subscribedAt !== null) subscribed.push(search.subscribedAt);
      detail.engineMilestones = await engineMilestones(deviceB.context, page).catch((error) => {
        log(`  could not read the engine's milestones: ${String(error?.message ?? error).split('\n')[0]}`);
        return null;
      });
      if (searchOk) searchable.push(search.searchableAt);
      else {
        searchTimeouts++;
        log(`  search never reported all ${count} items: last ${JSON.stringify(search.last)}`);
      }
      log(
        `  ${label} ${run + 1}/${runs}: shown ${detail.shownMs.toFixed(0)} ms, stored ${storedResult.storedAt?.toFixed(0)} ms, searchable ${search.searchableAt?.toFixed(0) ?? '-'} ms (subscribed at ${search.subscribedAt?.toFixed(0) ?? '-'} ms)`,
      );

      if (detail.engineMilestones)
        log(
          `    engine: ${Object.entries(detail.engineMilestones)
            .map(([name, at]) => `${name} ${at}`)
            .join(', ')}`,
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
    searchableMs: summarize(searchable),
    searchSubscribedMs: summarize(subscribed),
    searchTimeouts,
    search: {
      method:
        'a page init script polls for window.__pinax.client and subscribes to { type: "search", query, collectionId } as soon as it exists; searchable = first payload with total === items and indexing.pending === 0, ms since B\'s navigation start',
      query,
      checkOnDeviceA: queryCheck,
    },
    engineMilestonesMs: medianMilestones(details.map((d) => d.engineMilestones)),
    offlineReloadAllShown: details.every((d) => d.offlineReload?.allItemsShown === true),
    samples: { shownMs: shown, storedMs: stored, searchableMs: searchable },
    runs: details,
    profile,
  };
}

/**
 * The engine's start-up milestones (User Timing marks "pinax:*", src/worker/milestones.ts) in ms since
 * B's navigation started, the first of each name; `worker` is when the engine's time origin began.
 */
async function engineMilestones(context, page) {
  const session = await attachEngineSession(context, page);
  try {
    const worker = await session.evaluate(
      `({ origin: performance.timeOrigin, marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('pinax:')).map((m) => [m.name.slice(6), m.startTime]) })`,
    );
    const shift = worker.origin - (await page.evaluate(() => performance.timeOrigin));
    const out = { worker: Math.round(shift) };
    for (const [name, at] of worker.marks) out[name] ??= Math.round(at + shift);
    return out;
  } finally {
    await session.detach();
  }
}

/** Per milestone, the median over the runs that reached it. */
function medianMilestones(runs) {
  const names = [...new Set(runs.flatMap((r) => (r ? Object.keys(r) : [])))];
  const out = {};
  for (const name of names)
    out[name] = summarize(runs.map((r) => r?.[name]).filter((v) => v !== undefined)).p50;
  return Object.fromEntries(Object.entries(out).sort((a, b) => a[1] - b[1]));
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
