// Measure 3: cold reload with a large collection stored. Every page of the profile is closed and the
// runner waits until Chromium lists no SharedWorker (the engine is gone), then a new page navigates
// to the app. Times are performance.now() in the new page (ms since its navigation started) at the
// moment the init script's MutationObserver first sees the milestone:
//   home         "#/" until the collection's link (its name) is in the sidebar
//   collection   "#/c/<id>" until the header says "<n> items" and the first row is in the list
// "Cold" means a new engine (new SharedWorker, Automerge wasm and IndexedDB opened again); the
// browser process, the OS file cache and the service worker's cache stay warm, as when a person
// closes the app and opens it again.

import { killEngine, marks as readMarks, sleep, waitForMarks } from '../lib/browser.mjs';
import { summarize } from '../lib/stats.mjs';

async function navigationInfo(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const scripts = performance
      .getEntriesByType('resource')
      .filter((r) => /\.m?js(\?|$)/.test(r.name))
      .map((r) => ({ name: new URL(r.name).pathname, transferSize: r.transferSize, duration: r.duration }));
    return {
      controlledByServiceWorker: Boolean(navigator.serviceWorker.controller),
      responseEnd: nav?.responseEnd ?? null,
      domContentLoaded: nav?.domContentLoadedEventEnd ?? null,
      load: nav?.loadEventEnd ?? null,
      scripts,
    };
  });
}

export async function measureColdHome(device, baseUrl, { name, runs, log = () => undefined }) {
  const samples = [];
  const details = [];
  for (let run = 0; run < runs; run++) {
    const workerGoneMs = await killEngine(device);
    const page = await device.context.newPage();
    await page.goto(`${baseUrl}/#/`);
    await waitForMarks(page, [`sidebar:${name}`], { timeout: 30_000 });
    const marks = await readMarks(page);
    const info = await navigationInfo(page);
    samples.push(marks[`sidebar:${name}`]);
    details.push({ sidebarLinkMs: marks[`sidebar:${name}`], workerGoneMs, marks, ...info });
    log(`  cold home ${run + 1}/${runs}: ${marks[`sidebar:${name}`].toFixed(1)} ms`);
    // Let the engine finish its background start-up (it loads every joined collection) before the
    // next run kills it, so each run starts from the same state.
    await sleep(1500);
  }
  return { sidebarLinkMs: summarize(samples), samples, runs: details };
}

export async function measureColdCollection(
  device,
  baseUrl,
  { collectionId, count, runs, log = () => undefined },
) {
  const countText = `${count} items`;
  const samples = [];
  const firstRow = [];
  const details = [];
  for (let run = 0; run < runs; run++) {
    const workerGoneMs = await killEngine(device);
    const page = await device.context.newPage();
    await page.goto(`${baseUrl}/#/c/${collectionId}`);
    await waitForMarks(page, [`count:${countText}`, 'firstRow'], { timeout: 60_000 });
    const marks = await readMarks(page);
    const info = await navigationInfo(page);
    samples.push(marks[`count:${countText}`]);
    firstRow.push(marks.firstRow);
    details.push({
      countMs: marks[`count:${countText}`],
      firstRowMs: marks.firstRow,
      workerGoneMs,
      marks,
      ...info,
    });
    log(`  cold collection ${run + 1}/${runs}: ${marks[`count:${countText}`].toFixed(0)} ms`);
    await sleep(1500);
  }
  return { countShownMs: summarize(samples), firstRowMs: summarize(firstRow), samples, runs: details };
}
