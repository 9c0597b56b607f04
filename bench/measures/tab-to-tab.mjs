// Measure 1: tab-to-tab latency. Two tabs of one profile (one SharedWorker engine): tab B shows the
// collection's list, tab A has the top item open in the editor. Each edit is timed from its start
// in tab A to the moment tab B's list shows the new title, both as absolute times
// (performance.timeOrigin + performance.now()) on the one machine clock.
//
// Modes:
//   keyboard  A real keystroke into the "Title" textbox (page.keyboard.press). Start = the keydown
//             event's timeStamp in tab A (when the browser created the event, so input queueing in
//             A counts). This goes through the app's own input handler and coalescing writer.
//   command   window.__pinax.client.command({ type: 'updateItem', title }) in tab A. Start = the
//             moment right before the call.
// End = tab B's MutationObserver callback that first sees the title in the list named "Items"
// ("dom"), and the following requestAnimationFrame callback ("frame", an upper bound for paint).
//
// Tab B is opened as a separate window (see openAppWindow in lib/browser.mjs): a background tab of
// the same window is only painted about once a second in headless Chromium.
//
// Between edits the runner waits until B rendered, A's write is acknowledged and nothing is pending,
// then a random 20-60 ms, so edits never queue behind each other.

import { summarize } from '../lib/stats.mjs';
import { command, openAppWindow, sleep, waitForMarks } from '../lib/browser.mjs';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Estimates the clock offset between two pages with BroadcastChannel pings both ways. */
export async function clockSkew(pageA, pageB, pings = 40) {
  const listen = (page) =>
    page.evaluate(() => {
      const channel = new BroadcastChannel('pinax-bench-skew');
      window.__skew = { channel, deltas: [] };
      channel.onmessage = (event) => window.__skew.deltas.push(window.__bench.now() - event.data);
    });
  const send = (page, n) =>
    page.evaluate(async (n) => {
      const channel = new BroadcastChannel('pinax-bench-skew');
      for (let i = 0; i < n; i++) {
        channel.postMessage(window.__bench.now());
        await new Promise((r) => setTimeout(r, 5));
      }
      channel.close();
    }, n);
  const collect = (page) =>
    page.evaluate(() => {
      window.__skew.channel.close();
      return window.__skew.deltas;
    });
  await listen(pageB);
  await send(pageA, pings);
  await sleep(50);
  const aToB = await collect(pageB);
  await listen(pageA);
  await send(pageB, pings);
  await sleep(50);
  const bToA = await collect(pageA);
  const d1 = Math.min(...aToB);
  const d2 = Math.min(...bToA);
  return {
    method:
      'BroadcastChannel pings A->B and B->A; skew = (min(A->B) - min(B->A)) / 2, bound = +/- (min(A->B) + min(B->A)) / 2',
    skewMs: (d1 - d2) / 2,
    boundMs: (d1 + d2) / 2,
    minAtoBMs: d1,
    minBtoAMs: d2,
  };
}

/** Reads the item id of the first row of the list named "Items" in the page. */
export async function topItemId(page) {
  const href = await page.locator('ul[aria-label="Items"] li a').first().getAttribute('href');
  const match = /\/i\/([^/]+)$/.exec(href ?? '');
  if (!match) throw new Error(`cannot read the top item's id from ${href}`);
  return decodeURIComponent(match[1]);
}

/**
 * Opens tab B on the collection and tab A on its top item; returns the pages. `device` is one
 * profile; both pages share its SharedWorker engine.
 */
export async function openPair(device, baseUrl, collectionId, expectedCount) {
  // B in a window of its own, so it is painted at full rate (see openAppWindow).
  const pageB = await openAppWindow(device, baseUrl, `#/c/${collectionId}`);
  await waitForMarks(pageB, [`count:${expectedCount} items`, 'firstRow'], { timeout: 120_000 });
  const itemId = await topItemId(pageB);
  const pageA = await device.context.newPage();
  await pageA.goto(`${baseUrl}/#/c/${collectionId}/i/${itemId}`);
  const title = pageA.getByRole('textbox', { name: 'Title', exact: true });
  await title.waitFor({ timeout: 60_000 });
  await waitForMarks(pageA, ['firstRow'], { timeout: 120_000 });
  // A known starting title, set through the engine and shown in both tabs.
  await command(pageA, { type: 'updateItem', collectionId, itemId, title: 'Latency probe:' });
  await pageA.waitForFunction(() => document.getElementById('item-title')?.value === 'Latency probe:', null, {
    timeout: 10_000,
  });
  for (const page of [pageA, pageB]) await page.evaluate(() => window.__bench.stopMarks());
  await pageB.evaluate(() => window.__bench.watchTitles());
  const visibility = {
    a: await pageA.evaluate(() => ({ state: document.visibilityState, focus: document.hasFocus() })),
    b: await pageB.evaluate(() => ({ state: document.visibilityState, focus: document.hasFocus() })),
  };
  return { pageA, pageB, itemId, visibility };
}

export async function measureTabToTab({
  pageA,
  pageB,
  collectionId,
  itemId,
  edits,
  mode,
  engine = null,
  log = () => undefined,
}) {
  const originA = await pageA.evaluate(() => performance.timeOrigin);
  const originEngine = engine ? await engine.evaluate('performance.timeOrigin') : null;
  const originB = await pageB.evaluate(() => performance.timeOrigin);
  await pageA.bringToFront();
  const titleBox = pageA.getByRole('textbox', { name: 'Title', exact: true });
  if (mode === 'keyboard') {
    await titleBox.click();
    await pageA.keyboard.press('End');
  }
  let current = await titleBox.inputValue();
  const rows = [];
  let timeouts = 0;
  for (let i = 0; i < edits; i++) {
    const expected =
      mode === 'keyboard' ? current + LETTERS[i % LETTERS.length] : `Latency probe: command ${i}`;
    await Promise.all([
      pageA.evaluate((t) => window.__bench.arm(t), expected),
      pageB.evaluate((t) => window.__bench.arm(t), expected),
    ]);
    if (engine) await engine.evaluate(`performance.clearMeasures('pinax:commit')`);
    let startAbs;
    if (mode === 'keyboard') {
      await pageA.keyboard.press(LETTERS[i % LETTERS.length]);
    } else {
      startAbs = await pageA.evaluate(
        ({ collectionId, itemId, title }) => {
          const start = window.__bench.now();
          void window.__pinax.client.command({ type: 'updateItem', collectionId, itemId, title });
          return start;
        },
        { collectionId, itemId, title: expected },
      );
    }
    const [seen, idle] = await Promise.all([
      pageB.evaluate(() => window.__bench.whenSeen(5_000)),
      pageA.evaluate(() => window.__bench.whenIdle(5_000)),
    ]);
    const a = await pageA.evaluate(() => ({ ...window.__bench.probe }));
    const b = await pageB.evaluate(() => ({ ...window.__bench.probe }));
    const commit = engine ? await firstCommit(engine, originEngine) : null;
    if (!seen || !idle) {
      timeouts++;
      log(`  edit ${i}: timed out (seen=${seen}, idle=${idle})`);
      current = await titleBox.inputValue();
      continue;
    }
    if (mode === 'keyboard') {
      // keyStamp is the event's creation time; fall back to the handler time if it looks wrong.
      const stampOk = a.keyStamp !== null && a.keyStamp <= a.keyAt && a.keyAt - a.keyStamp < 1000;
      startAbs = originA + (stampOk ? a.keyStamp : a.keyAt);
    }
    const domAbs = originB + b.domAt;
    rows.push({
      latencyMs: domAbs - startAbs,
      toFrameMs: originB + b.frameAt - startAbs,
      keyQueueMs: mode === 'keyboard' ? a.keyAt - a.keyStamp : null,
      tabAToPostMs: a.postAt - (startAbs - originA),
      engineMs: originB + b.recvAt - (originA + a.postAt),
      toEngineMs: commit ? commit.startAbs - (originA + a.postAt) : null,
      engineCommitMs: commit ? commit.endAbs - commit.startAbs : null,
      commitToTabBMs: commit ? originB + b.recvAt - commit.endAbs : null,
      tabBRenderMs: b.domAt - b.recvAt,
      domToFrameMs: b.frameAt - b.domAt,
      ackMs: a.ackAt - a.postAt,
      keyToInputMs: mode === 'keyboard' && a.inputAt !== null ? a.inputAt - a.keyAt : null,
      inputToPostMs: mode === 'keyboard' && a.inputAt !== null ? a.postAt - a.inputAt : null,
    });
    current = expected;
    await sleep(20 + Math.random() * 40);
  }
  const column = (key) => rows.map((r) => r[key]).filter((v) => typeof v === 'number');
  return {
    mode,
    edits,
    timeouts,
    latencyMs: summarize(column('latencyMs')),
    toFrameMs: summarize(column('toFrameMs')),
    breakdown: {
      keyQueueMs: mode === 'keyboard' ? summarize(column('keyQueueMs')) : null,
      tabAToPostMs: summarize(column('tabAToPostMs')),
      engineMs: summarize(column('engineMs')),
      toEngineMs: summarize(column('toEngineMs')),
      engineCommitMs: summarize(column('engineCommitMs')),
      commitToTabBMs: summarize(column('commitToTabBMs')),
      tabBRenderMs: summarize(column('tabBRenderMs')),
      domToFrameMs: summarize(column('domToFrameMs')),
      ackMs: summarize(column('ackMs')),
      keyToInputMs: mode === 'keyboard' ? summarize(column('keyToInputMs')) : null,
      inputToPostMs: mode === 'keyboard' ? summarize(column('inputToPostMs')) : null,
    },
    samples: rows,
  };
}

/**
 * The engine's own record of the edit (its first `pinax:commit` measure since the last clear), on
 * the machine clock: splits engineMs into the trip to the engine, the commit, and what follows it
 * (deriving rows, the post to tab B and B's queue).
 */
async function firstCommit(engine, originEngine) {
  const entry = await engine.evaluate(
    `(() => { const e = performance.getEntriesByName('pinax:commit').find((m) => m.detail === 'updateItem');
       return e ? { start: e.startTime, duration: e.duration } : null; })()`,
  );
  if (!entry) return null;
  const startAbs = originEngine + entry.start;
  return { startAbs, endAbs: startAbs + entry.duration };
}
