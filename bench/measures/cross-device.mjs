// Measure 7: A -> B edit latency through the relay. Two devices (two persistent Chromium profiles,
// so two engines that only meet through the relay): device A is the seeded device, device B a new
// profile launched for this measure (not one of the fresh-sync profiles, which are gone by then).
// Both show the same collection's list, each page in a window of its own (see openAppWindow in
// lib/browser.mjs). Each edit is `__pinax.client.command({ type: 'updateItem', title })` in A's page,
// timed from just before the call to the moment B's MutationObserver sees the new title in the list
// named "Items", both as performance.timeOrigin + performance.now() on the one machine clock (the
// pages are in two browser processes; the clock check below compares each page with this Node
// process's clock, as a BroadcastChannel cannot cross profiles).
//
// Breakdown (from the init script's probe in both pages, lib/browser.mjs):
//   tabAToPost   A's command call to its postMessage to A's engine
//   ack          A's engine acknowledged the write (flushed to A's IndexedDB)
//   transit      A's post -> B's tab received the list patch with the title: A's engine, the relay,
//                B's engine (automerge-repo throttles outgoing sync messages per document)
//   tabBRender   B's patch received -> B's DOM shows it
// Between edits the runner waits until B rendered it and A acknowledged it, then a random 20-60 ms.

import { summarize } from '../lib/stats.mjs';
import {
  closeDevice,
  command,
  launchDevice,
  openAppWindow,
  sleep,
  waitForMarks,
  waitForSyncStatus,
} from '../lib/browser.mjs';
import { seedCollection } from './seed.mjs';
import { topItemId } from './tab-to-tab.mjs';

/**
 * Offset of each page's clock (performance.timeOrigin + performance.now()) from this Node process's,
 * from page.evaluate round trips: the sample with the shortest round trip, offset = page time -
 * midpoint. skew = B - A; bound = half the sum of those two round trips.
 */
export async function nodeClockSkew(pageA, pageB, pings = 30) {
  const nodeNow = () => performance.timeOrigin + performance.now();
  const offset = async (page) => {
    let best = null;
    for (let i = 0; i < pings; i++) {
      const t0 = nodeNow();
      const v = await page.evaluate(() => window.__bench.now());
      const t1 = nodeNow();
      if (best === null || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: v - (t0 + t1) / 2 };
    }
    return best;
  };
  const a = await offset(pageA);
  const b = await offset(pageB);
  return {
    method:
      "each page's clock vs this Node process's (performance.timeOrigin + performance.now()) over page.evaluate round trips, shortest round trip kept; skew = B - A, bound = (rttA + rttB) / 2",
    skewMs: b.offset - a.offset,
    boundMs: (a.rtt + b.rtt) / 2,
    offsetAMs: a.offset,
    offsetBMs: b.offset,
  };
}

/**
 * Opens the collection on both devices: A first (and waits until it is synced with the relay), then
 * B, a page of its own window on B's profile. Returns the pages, the item to edit (the top row of
 * B's list) and how long B took to show the whole collection (ms since its navigation start).
 */
async function openDevicePair(deviceA, deviceB, baseUrl, collectionId, count, timeoutMs) {
  const countKey = `count:${count} items`;
  const opened = [];
  try {
    const pageA = await openAppWindow(deviceA, baseUrl, `#/c/${collectionId}`);
    opened.push(pageA);
    await waitForMarks(pageA, [countKey, 'firstRow'], { timeout: timeoutMs });
    await waitForSyncStatus(pageA, 'Synced', timeoutMs);
    const pageB = await openAppWindow(deviceB, baseUrl, `#/c/${collectionId}`);
    opened.push(pageB);
    const marksB = await waitForMarks(pageB, [countKey, 'firstRow'], { timeout: timeoutMs });
    const itemId = await topItemId(pageB);
    // A known starting title, sent from A; waiting for it in B also proves the path works.
    const title = 'Device probe:';
    await pageB.evaluate(() => window.__bench.watchTitles());
    await pageB.evaluate((t) => window.__bench.arm(t), title);
    await command(pageA, { type: 'updateItem', collectionId, itemId, title });
    const seen = await pageB.evaluate(() => window.__bench.whenSeen(30_000));
    if (!seen) throw new Error('the starting title never reached device B');
    for (const page of [pageA, pageB]) await page.evaluate(() => window.__bench.stopMarks());
    const visibility = {
      a: await pageA.evaluate(() => ({ state: document.visibilityState, focus: document.hasFocus() })),
      b: await pageB.evaluate(() => ({ state: document.visibilityState, focus: document.hasFocus() })),
    };
    return { pageA, pageB, itemId, visibility, bShownMs: marksB[countKey] };
  } catch (error) {
    for (const page of opened) await page.close().catch(() => undefined);
    throw error;
  }
}

async function measureEdits({ pageA, pageB, collectionId, itemId, edits, log }) {
  const originA = await pageA.evaluate(() => performance.timeOrigin);
  const originB = await pageB.evaluate(() => performance.timeOrigin);
  const rows = [];
  let timeouts = 0;
  for (let i = 0; i < edits; i++) {
    const title = `Device probe: edit ${i}`;
    await Promise.all([
      pageA.evaluate((t) => window.__bench.arm(t), title),
      pageB.evaluate((t) => window.__bench.arm(t), title),
    ]);
    const startAbs = await pageA.evaluate(
      ({ collectionId, itemId, title }) => {
        const start = window.__bench.now();
        void window.__pinax.client.command({ type: 'updateItem', collectionId, itemId, title });
        return start;
      },
      { collectionId, itemId, title },
    );
    const [seen, idle] = await Promise.all([
      pageB.evaluate(() => window.__bench.whenSeen(10_000)),
      pageA.evaluate(() => window.__bench.whenIdle(10_000)),
    ]);
    const a = await pageA.evaluate(() => ({ ...window.__bench.probe }));
    const b = await pageB.evaluate(() => ({ ...window.__bench.probe }));
    if (!seen || !idle) {
      timeouts++;
      log(`  edit ${i}: timed out (seen in B=${seen}, acked in A=${idle})`);
      continue;
    }
    rows.push({
      latencyMs: originB + b.domAt - startAbs,
      toFrameMs: originB + b.frameAt - startAbs,
      tabAToPostMs: a.postAt - (startAbs - originA),
      ackMs: a.ackAt - a.postAt,
      transitMs: b.recvAt !== null ? originB + b.recvAt - (originA + a.postAt) : null,
      tabBRenderMs: b.recvAt !== null ? b.domAt - b.recvAt : null,
    });
    await sleep(20 + Math.random() * 40);
  }
  const column = (key) => rows.map((r) => r[key]).filter((v) => typeof v === 'number');
  return {
    edits,
    timeouts,
    latencyMs: summarize(column('latencyMs')),
    toFrameMs: summarize(column('toFrameMs')),
    breakdown: {
      tabAToPostMs: summarize(column('tabAToPostMs')),
      ackMs: summarize(column('ackMs')),
      transitMs: summarize(column('transitMs')),
      tabBRenderMs: summarize(column('tabBRenderMs')),
    },
    samples: rows,
  };
}

/**
 * @param deviceA the seeded device; its engine must stay up (a page of it stays open elsewhere).
 * @param seedPage a page of device A used to create the small collection.
 * @param large { collectionId, count } or null: the large collection, also measured if B opens it
 *   within `largeOpenTimeoutMs`.
 * @param onError (label, error) for a part that failed; the other part still runs.
 */
export async function measureCrossDevice({
  deviceA,
  seedPage,
  baseUrl,
  smallItems = 20,
  seedMode = 'batch',
  large = null,
  edits,
  largeOpenTimeoutMs = 120_000,
  onConsole = () => undefined,
  onError = () => undefined,
  log = () => undefined,
}) {
  const out = {
    method:
      'two persistent profiles (A = the seeded device, B = a new profile launched for this measure), both showing the collection list in windows of their own; A runs updateItem via __pinax.client.command; latency = B MutationObserver sees the title in the list "Items" minus the moment before the call, on the shared machine clock (performance.timeOrigin + performance.now())',
    deviceB: 'a new persistent profile launched for this measure',
  };
  const deviceB = await launchDevice('devices-b');
  deviceB.context.on('console', (msg) => {
    if (['error', 'warning'].includes(msg.type())) onConsole({ type: msg.type(), text: msg.text() });
  });
  try {
    const parts = [];
    try {
      const small = await seedCollection(seedPage, {
        name: 'Devices small',
        count: smallItems,
        mode: seedMode,
      });
      parts.push({ key: 'small', collectionId: small.collectionId, count: smallItems, timeoutMs: 60_000 });
    } catch (error) {
      onError('devices (small, seeding)', error);
    }
    if (large) parts.push({ key: 'large', ...large, timeoutMs: largeOpenTimeoutMs });
    for (const part of parts) {
      let pair;
      try {
        log(`  ${part.count}-item collection: opening it on A and B`);
        pair = await openDevicePair(deviceA, deviceB, baseUrl, part.collectionId, part.count, part.timeoutMs);
        const clock = await nodeClockSkew(pair.pageA, pair.pageB);
        log(
          `  B showed all ${part.count} items ${pair.bShownMs.toFixed(0)} ms after its navigation; clock skew B-A ${clock.skewMs.toFixed(2)} +/- ${clock.boundMs.toFixed(2)} ms; ${edits} edits`,
        );
        const result = await measureEdits({
          ...pair,
          collectionId: part.collectionId,
          edits,
          log,
        });
        log(
          `  p50 ${result.latencyMs.p50?.toFixed(1)} ms, p95 ${result.latencyMs.p95?.toFixed(1)} ms, max ${result.latencyMs.max?.toFixed(1)} ms, timeouts ${result.timeouts}`,
        );
        out[part.key] = {
          collectionItems: part.count,
          collectionId: part.collectionId,
          bShownMs: pair.bShownMs,
          clock,
          visibility: pair.visibility,
          ...result,
        };
      } catch (error) {
        onError(`devices (${part.key}, ${part.count} items)`, error);
      } finally {
        await pair?.pageA.close().catch(() => undefined);
        await pair?.pageB.close().catch(() => undefined);
      }
    }
    return out;
  } finally {
    await closeDevice(deviceB);
  }
}
