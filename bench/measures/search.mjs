// Search and import benchmarks (measure "search"). On the seeded device (the large collection of
// lib/data.mjs items), through the built app and its real SharedWorker engine:
//
//   S1 engine     200 two-word queries, each a fresh `search` subscription from the page; the engine's
//                 own `tookMs` of the first payload (index lookup + catalog rows), and the round trip.
//   S2 micro      the engine's SearchIndex alone in Node (search-micro.mjs) at 10k and 100k items, in
//                 a child process (run from run.mjs before any browser starts).
//   S3 keystroke  real keystrokes into the search box; from each keydown's `timeStamp` to the
//                 MutationObserver callback that sees the results of that keystroke's query rendered.
//   S4/S5 cold    engine gone, a new page opens "#/", the query goes into the search box as soon as it
//                 exists; navigation start -> first result row. Alternated with S5: the same start
//                 after the persisted index and read-model heads were deleted (rebuilt from the
//                 Automerge documents), also -> the rebuild complete.
//   S6 import     a 10,000-item JSON file through the Import panel, until a search subscription for a
//                 token present in every imported body reports all of them.
//   S7 memory     the engine's JS heap after a forced GC (CDP into the SharedWorker), right after a
//                 start with only the list shown, and with the large collection loaded and searched.
//
// Nothing in src/ is changed: the page-side observers are installed by page.evaluate or a page init
// script, and only wrap `window.__pinax.client.subscribe` to see payloads before the app renders them.

import { execFile as execFileCb } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { command, killEngine, openApp, sleep, waitForAsync, waitForMarks } from '../lib/browser.mjs';
import { makeItem, prng } from '../lib/data.mjs';
import { attachEngineSession } from '../lib/engine-profiler.mjs';
import { summarize } from '../lib/stats.mjs';
import { makeQuery, vocabularyOf } from './search-micro.mjs';

const execFile = promisify(execFileCb);
const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ROOT = path.dirname(BENCH_DIR);

// ---- queries (the same generator as search-micro.mjs, which does not export it) ----

/** Same share of one-letter typos in the first word as search-micro.mjs, so the queries match. */

/** `count` queries from a seeded stream; seed 7 with items >= 2000 gives search-micro's queries. */
export function makeQueries(count, { seed = 7, items = 10_000 } = {}) {
  const rand = prng(seed);
  const vocabulary = vocabularyOf(Math.min(items, 2_000));
  return Array.from({ length: count }, () => makeQuery(rand, vocabulary));
}

// ---- S2: the Node micro-benchmark in a child process ----

/** runSearchMicro({ items, queries }) from search-micro.mjs in `node --expose-gc`; its JSON result. */
export async function runSearchMicroChild({ items, queries = 200, timeoutMs = 15 * 60_000 }) {
  const url = pathToFileURL(path.join(BENCH_DIR, 'measures', 'search-micro.mjs')).href;
  const code = [
    `const { runSearchMicro } = await import(${JSON.stringify(url)});`,
    `const result = await runSearchMicro({ items: ${Number(items)}, queries: ${Number(queries)} });`,
    `process.stdout.write('\\n@@RESULT@@' + JSON.stringify(result) + '\\n');`,
  ].join('\n');
  const { stdout } = await execFile(
    process.execPath,
    ['--expose-gc', '--input-type=module', '--eval', code],
    { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs },
  );
  const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT@@'));
  if (!line) throw new Error(`search micro (${items} items) printed no result: ${stdout.slice(-500)}`);
  return JSON.parse(line.slice('@@RESULT@@'.length));
}

// ---- S1: engine-side search time ----

/**
 * Each query is a fresh `search` subscription from the page (limit 50, as the UI asks for), closed
 * after its first payload; 20-40 ms between queries so they never queue. The first `warmup` queries
 * are not recorded.
 */
export async function measureEngineSearch(page, { queries, warmup = 20, log = () => undefined }) {
  const rows = await page.evaluate(
    async ({ queries }) => {
      const client = window.__pinax.client;
      const out = [];
      for (const query of queries) {
        const t0 = performance.now();
        const payload = await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no search payload for "${query}"`)), 30_000);
          let unsubscribe = null;
          let done = false;
          unsubscribe = client.subscribe({ type: 'search', query }, (p) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolve(p);
            // The callback comes from a port message, after subscribe() returned.
            unsubscribe?.();
          });
        });
        out.push({
          query,
          tookMs: payload.tookMs,
          roundTripMs: performance.now() - t0,
          total: payload.total,
          hits: payload.hits.length,
          indexingPending: payload.indexing?.pending ?? null,
        });
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 20));
      }
      return out;
    },
    { queries },
  );
  const timed = rows.slice(warmup);
  const col = (k) => timed.map((r) => r[k]);
  log(
    `  engine search: tookMs p50 ${summarize(col('tookMs')).p50?.toFixed(2)} p95 ${summarize(col('tookMs')).p95?.toFixed(2)} ms`,
  );
  return {
    method:
      'fresh search subscription per query from the page ({type:"search", query}, limit 50 by default); tookMs is the engine-side time in the first payload (index search + facets + catalog rows), roundTripMs is subscribe -> first payload in the page',
    queries: timed.length,
    warmup,
    tookMs: summarize(col('tookMs')),
    roundTripMs: summarize(col('roundTripMs')),
    matchesPerQuery: summarize(col('total')),
    indexingPendingMax: Math.max(0, ...col('indexingPending').filter((v) => typeof v === 'number')),
    samples: timed,
  };
}

// ---- S3: keystroke -> rendered results ----

/**
 * Installs the page-side recorder: one record per printable keydown in the search box (its event
 * timeStamp), the query the input event left in the box, and the MutationObserver callback (on
 * <main>, elements and the results panel's `data-results-for`) in which the panel first says it
 * shows that query's answer: the rendered results. For the breakdown, client.subscribe is wrapped:
 * when the app subscribed for the query, and when the engine's own first answer to it arrived
 * (answers pushed ahead of time, `ahead`, are not it). An answer the tab already had (worked out
 * ahead of the keystroke) renders before the engine's arrives (`fromKnown`).
 */
function installKeystrokeRecorder() {
  if (window.__searchKeys) return;
  const now = () => performance.now();
  const state = { records: [], armed: false, focusAt: null };
  window.__searchKeys = state;
  const isBox = (el) =>
    el instanceof HTMLInputElement && el.type === 'search' && el.getAttribute('aria-label') === 'Search';
  addEventListener('focusin', (event) => {
    if (isBox(event.target)) state.focusAt = now();
  });
  addEventListener(
    'keydown',
    (event) => {
      if (!state.armed || !isBox(event.target) || event.key.length !== 1) return;
      state.records.push({
        key: event.key,
        stamp: event.timeStamp,
        keyAt: now(),
        sinceFocusMs: state.focusAt !== null ? now() - state.focusAt : null,
        query: null,
        inputAt: null,
        subAt: null,
        deliveredAt: null,
        domAt: null,
        frameAt: null,
        tookMs: null,
        total: null,
      });
    },
    true,
  );
  addEventListener(
    'input',
    (event) => {
      if (!state.armed || !isBox(event.target)) return;
      const rec = state.records[state.records.length - 1];
      if (rec && rec.query === null) {
        rec.query = event.target.value;
        rec.inputAt = now();
      }
    },
    true,
  );
  const client = window.__pinax.client;
  const subscribe = client.subscribe.bind(client);
  client.subscribe = (sub, onData) => {
    if (sub?.type !== 'search' || !state.armed) return subscribe(sub, onData);
    const rec = state.records.findLast((r) => r.query === sub.query && r.subAt === null);
    if (!rec) return subscribe(sub, onData);
    rec.subAt = now();
    return subscribe(sub, (payload) => {
      if (rec.deliveredAt === null && !payload.ahead) {
        rec.deliveredAt = now();
        rec.tookMs = payload.tookMs;
        rec.total = payload.total;
      }
      return onData(payload);
    });
  };
  const main = document.querySelector('main');
  new MutationObserver(() => {
    const rec = state.records.findLast((r) => r.query !== null);
    if (!rec || rec.domAt !== null) return;
    if (document.querySelector('section.search')?.dataset.resultsFor !== rec.query) return;
    rec.domAt = now();
    requestAnimationFrame(() => (rec.frameAt = now()));
  }).observe(main, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['data-results-for'],
  });
}

/**
 * Types queries (makeQueries, a stream of its own) into the search box one key at a time, 80-120 ms
 * apart, until at least `keystrokes` keys were timed. Between queries: Escape (clears and blurs the
 * box), a click back into it, and a pause; those keys are not timed.
 */
export async function measureSearchKeystrokes(page, { keystrokes, items, seed = 11, log = () => undefined }) {
  await page.bringToFront();
  await page.evaluate(installKeystrokeRecorder);
  const box = page.getByRole('searchbox', { name: 'Search' });
  const queries = makeQueries(200, { seed, items });
  const visibility = await page.evaluate(() => ({
    state: document.visibilityState,
    focus: document.hasFocus(),
  }));
  const typed = [];
  let keys = 0;
  for (const query of queries) {
    if (keys >= keystrokes) break;
    await box.click();
    await page.evaluate(() => (window.__searchKeys.armed = true));
    for (const ch of query) {
      await page.keyboard.type(ch);
      await sleep(80 + Math.random() * 40);
    }
    keys += query.length;
    typed.push(query);
    // Let the last keystroke's results arrive and paint before clearing.
    await page
      .waitForFunction(
        () => {
          const last = window.__searchKeys.records.at(-1);
          return last && last.frameAt !== null;
        },
        null,
        { timeout: 5_000, polling: 20 },
      )
      .catch(() => undefined);
    await page.evaluate(() => (window.__searchKeys.armed = false));
    await page.keyboard.press('Escape');
    await page
      .locator('section.search')
      .waitFor({ state: 'detached', timeout: 5_000 })
      .catch(() => undefined);
    await sleep(300);
  }
  const records = await page.evaluate(() => window.__searchKeys.records);
  const done = records.filter((r) => r.domAt !== null);
  const rows = done.map((r) => {
    const stampOk = r.stamp <= r.keyAt && r.keyAt - r.stamp < 1000;
    const start = stampOk ? r.stamp : r.keyAt;
    return {
      query: r.query,
      latencyMs: r.domAt - start,
      toFrameMs: r.frameAt !== null ? r.frameAt - start : null,
      keyQueueMs: r.keyAt - r.stamp,
      // From the box taking the focus (the click between queries) to this key.
      sinceFocusMs: r.sinceFocusMs,
      keyToSubscribeMs: r.subAt !== null ? r.subAt - start : null,
      subscribeToPayloadMs: r.subAt !== null && r.deliveredAt !== null ? r.deliveredAt - r.subAt : null,
      engineTookMs: r.tookMs,
      fromKnown: r.deliveredAt === null || r.domAt < r.deliveredAt,
      // From the engine's answer to the screen; none when the screen showed a known answer first.
      renderMs: r.deliveredAt !== null && r.domAt >= r.deliveredAt ? r.domAt - r.deliveredAt : null,
      total: r.total,
    };
  });
  const col = (k) => rows.map((r) => r[k]).filter((v) => typeof v === 'number');
  const latency = summarize(col('latencyMs'));
  log(`  keystroke -> results: p50 ${latency.p50?.toFixed(1)} p95 ${latency.p95?.toFixed(1)} ms`);
  return {
    method:
      "page.keyboard.type one key at a time, 80-120 ms apart; start = keydown event.timeStamp in the search box; end = the MutationObserver callback (subtree of <main>) in which the results panel first says (data-results-for) it shows the answer to the query that keystroke produced; fromKnown = that answer was on screen before the engine answered the keystroke's subscription (it had been worked out ahead)",
    keystrokes: records.length,
    timed: rows.length,
    // Keys whose query was replaced by the next key before its results showed.
    superseded: records.filter((r) => r.domAt === null).length,
    fromKnown: rows.filter((r) => r.fromKnown).length,
    visibility,
    latencyMs: latency,
    toFrameMs: summarize(col('toFrameMs')),
    breakdown: {
      keyQueueMs: summarize(col('keyQueueMs')),
      keyToSubscribeMs: summarize(col('keyToSubscribeMs')),
      subscribeToPayloadMs: summarize(col('subscribeToPayloadMs')),
      engineTookMs: summarize(col('engineTookMs')),
      renderMs: summarize(col('renderMs')),
    },
    queries: typed,
    samples: rows,
  };
}

// ---- S4/S5: cold start to the first search result, persisted vs rebuilt read models ----

/**
 * Page init script for the cold starts: as soon as the search box exists (a MutationObserver on the
 * document, so no Playwright round trip), puts `query` in it with an input event (what the app's
 * handler reacts to), then records when the first result row shows, the status line over time,
 * when the Indexing progress shows and goes, and the first moment the status reads `fullStatus`
 * with no Indexing progress (the complete index).
 */
function coldSearchScript({ query, fullStatus }) {
  if (!/^https?:$/.test(location.protocol) || location.pathname !== '/') return;
  const now = () => performance.now();
  const t = {
    boxAt: null,
    inputAt: null,
    firstResultAt: null,
    firstResultStatus: null,
    indexingSeenAt: null,
    indexingGoneAt: null,
    // The engine's rebuild progress (the app's readModelProgress subscription, which drives the
    // header indicator) back at 0 after it was above 0.
    engineDoneAt: null,
    fullAt: null,
    statusLog: [],
    // What the engine pushed to the app (client.subscribe wrapped as the app sets window.__pinax):
    // search payloads [t, total, indexing.pending, indexing.total], rebuild progress [t, pending,
    // total], and the collections' item counts [t, [itemCount...]].
    searchLog: [],
    progressLog: [],
    collectionsLog: [],
  };
  window.__coldSearch = t;
  const keep = (log, entry) => log.length < 500 && log.push(entry);
  let pinax;
  Object.defineProperty(window, '__pinax', {
    configurable: true,
    enumerable: true,
    get: () => pinax,
    set(value) {
      pinax = value;
      const client = value?.client;
      if (!client) return;
      const subscribe = client.subscribe.bind(client);
      client.subscribe = (sub, onData) =>
        subscribe(sub, (payload) => {
          if (sub?.type === 'search')
            keep(t.searchLog, [
              now(),
              payload.total,
              payload.indexing?.pending,
              payload.indexing?.total,
              payload.tookMs,
            ]);
          else if (sub?.type === 'readModelProgress') {
            keep(t.progressLog, [now(), payload.pending, payload.total]);
            if (t.engineDoneAt === null && payload.pending === 0 && t.progressLog.some((e) => e[1] > 0))
              t.engineDoneAt = now();
          } else if (sub?.type === 'collections')
            keep(t.collectionsLog, [now(), payload.map((row) => row.itemCount)]);
          return onData(payload);
        });
    },
  });
  const check = () => {
    const box = document.querySelector('input[type="search"][aria-label="Search"]');
    if (box && t.inputAt === null) {
      t.boxAt = now();
      box.focus();
      box.value = query;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      t.inputAt = now();
    }
    const section = document.querySelector('section.search');
    if (!section) return;
    const status = section.querySelector('p.search-status')?.textContent.trim() ?? null;
    if (status !== null && t.statusLog.at(-1)?.[1] !== status) t.statusLog.push([now(), status]);
    const progress = section.querySelector('progress[aria-label="Indexing"]');
    if (progress && t.indexingSeenAt === null) t.indexingSeenAt = now();
    if (!progress && t.indexingSeenAt !== null && t.indexingGoneAt === null) t.indexingGoneAt = now();
    if (t.firstResultAt === null && section.querySelector('ul[aria-label="Search results"] li')) {
      t.firstResultAt = now();
      t.firstResultStatus = status;
    }
    if (t.fullAt === null && fullStatus !== null && !progress && status === fullStatus) t.fullAt = now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
}

/** Deletes the persisted search index and every read-model state row with raw IndexedDB, from a
 * same-origin page that is not the app (the relay's /healthz), while no engine runs. */
async function dropReadModels(device, baseUrl) {
  const page = await device.context.newPage();
  try {
    await page.goto(`${baseUrl}/healthz`);
    return await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('pinax');
          open.onerror = () => reject(open.error);
          open.onblocked = () => reject(new Error('opening pinax was blocked: is an engine running?'));
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['searchIndex', 'readModelState'], 'readwrite');
            const before = {};
            const index = tx.objectStore('searchIndex');
            const states = tx.objectStore('readModelState');
            index.count().onsuccess = (e) => (before.searchIndex = e.target.result);
            states.count().onsuccess = (e) => (before.readModelState = e.target.result);
            index.delete('global');
            states.clear();
            tx.oncomplete = () => {
              db.close();
              resolve(before);
            };
            tx.onerror = () => {
              db.close();
              reject(tx.error);
            };
          };
        }),
    );
  } finally {
    await page.close();
  }
}

/** Waits until the engine has stored the search index and read-model state for the collection at
 * the same heads (a complete, current index), polling IndexedDB read-only from a same-origin page.
 * Before 2026-12-04 (after 81c98ca) any stored heads were enough: a cold start then often loaded an
 * index from mid-seeding, so the "persisted" first result was partial (5,404-6,931 of 7,720 hits,
 * caught up ~5 s later) and the rebuilt run, which must show the same count, timed out. */
export async function waitForPersistedReadModels(page, collectionId, timeoutMs = 120_000) {
  const started = Date.now();
  await waitForAsync(
    page,
    (collectionId) =>
      new Promise((resolve) => {
        const open = indexedDB.open('pinax');
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          try {
            const tx = db.transaction(['searchIndex', 'readModelState'], 'readonly');
            const state = tx.objectStore('readModelState').get(collectionId);
            const index = tx.objectStore('searchIndex').get('global');
            tx.oncomplete = () => {
              db.close();
              // The index is saved after 2 s of quiet: until then the row can hold an older index
              // (say, from the middle of seeding), which a cold start would load and catch up on.
              // The catalog's heads are written as soon as rows are derived, so equal heads mean
              // the stored index is current.
              const catalogHeads = state.result?.heads;
              const indexHeads = index.result?.heads?.[collectionId];
              resolve(
                Array.isArray(catalogHeads) &&
                  Array.isArray(indexHeads) &&
                  [...catalogHeads].sort().join() === [...indexHeads].sort().join(),
              );
            };
            tx.onerror = () => {
              db.close();
              resolve(false);
            };
          } catch {
            db.close();
            resolve(false);
          }
        };
      }),
    collectionId,
    { timeout: timeoutMs, polling: 500 },
  );
  return Date.now() - started;
}

/**
 * Alternates the two cold starts, persisted first (it also learns the status line of the full
 * result, "N results", that a complete rebuild must show again), `runs` of each.
 */
export async function measureColdSearch(
  device,
  baseUrl,
  { collectionId, query, runs, log = () => undefined },
) {
  // The persisted variant needs the index and heads stored: wait with the engine still up.
  const probe = await openApp(device, baseUrl, '#/');
  const persistedWaitMs = await waitForPersistedReadModels(probe, collectionId);
  await probe.close();
  let fullStatus = null;
  const runsOut = { persisted: [], rebuilt: [] };
  for (let run = 0; run < runs; run++) {
    for (const variant of ['persisted', 'rebuilt']) {
      const workerGoneMs = await killEngine(device);
      const dropped = variant === 'rebuilt' ? await dropReadModels(device, baseUrl) : null;
      const page = await device.context.newPage();
      await page.addInitScript(coldSearchScript, { query, fullStatus });
      await page.goto(`${baseUrl}/#/`);
      await page.waitForFunction(() => (window.__coldSearch?.firstResultAt ?? null) !== null, null, {
        timeout: 60_000,
        polling: 50,
      });
      if (variant === 'persisted') {
        const t = await page.evaluate(() => window.__coldSearch);
        fullStatus ??= t.firstResultStatus;
      } else {
        await page
          .waitForFunction(() => (window.__coldSearch?.fullAt ?? null) !== null, null, {
            timeout: 180_000,
            polling: 50,
          })
          .catch(async (error) => {
            // Say what the page showed instead: the status lines and the engine's last pushes.
            const t = await page.evaluate(() => window.__coldSearch).catch(() => null);
            const tail = (log) => JSON.stringify(log?.slice(-8) ?? null);
            throw new Error(
              `${error.message} Waiting for "${fullStatus}"; statuses ${tail(t?.statusLog)}, search pushes ${tail(t?.searchLog)}, progress ${tail(t?.progressLog)}`,
            );
          });
      }
      const t = await page.evaluate(() => window.__coldSearch);
      const detail = {
        firstResultMs: t.firstResultAt,
        rebuiltMs: variant === 'rebuilt' ? t.fullAt : null,
        engineDoneMs: variant === 'rebuilt' ? t.engineDoneAt : null,
        indexingGoneMs: variant === 'rebuilt' ? t.indexingGoneAt : null,
        ...t,
        workerGoneMs,
        dropped,
        controlledByServiceWorker: await page.evaluate(() => Boolean(navigator.serviceWorker.controller)),
      };
      runsOut[variant].push(detail);
      log(
        `  cold search ${variant} ${run + 1}/${runs}: first result ${t.firstResultAt.toFixed(0)} ms` +
          (variant === 'rebuilt'
            ? `, engine rebuilt ${t.engineDoneAt?.toFixed(0) ?? '-'} ms, all results shown ${t.fullAt.toFixed(0)} ms (Indexing shown ${t.indexingSeenAt?.toFixed(0) ?? '-'} -> ${t.indexingGoneAt?.toFixed(0) ?? '-'} ms)`
            : ''),
      );
      // Let the engine finish its start-up (and, after a rebuild, store the rebuilt models: the
      // index is saved 2 s after the last change) before the next run kills it.
      if (variant === 'rebuilt') detail.storedAfterMs = await waitForPersistedReadModels(page, collectionId);
      await sleep(1500);
    }
  }
  const firstP = summarize(runsOut.persisted.map((r) => r.firstResultMs));
  const firstR = summarize(runsOut.rebuilt.map((r) => r.firstResultMs));
  const fullR = summarize(runsOut.rebuilt.map((r) => r.rebuiltMs));
  const engineR = summarize(runsOut.rebuilt.map((r) => r.engineDoneMs));
  const goneR = summarize(runsOut.rebuilt.map((r) => r.indexingGoneMs));
  return {
    method:
      'engine gone (no SharedWorker), new page opens "#/"; a page init script puts the query into the search box with an input event as soon as the box exists; times are page performance.now() (ms since navigation start). rebuilt: before the start the searchIndex row and all readModelState rows were deleted with raw IndexedDB from /healthz; rebuiltMs = first moment the status shows the full count again (as in the persisted runs) with no Indexing progress; engineDoneMs = the readModelProgress subscription back at pending 0; indexingGoneMs = the Indexing progress of the results removed',
    query,
    fullStatus,
    persistedWaitMs,
    persisted: { firstResultMs: firstP },
    rebuilt: { firstResultMs: firstR, engineDoneMs: engineR, indexingGoneMs: goneR, rebuiltMs: fullR },
    ratio: {
      firstResult: firstP.p50 ? firstR.p50 / firstP.p50 : null,
      rebuilt: firstP.p50 ? fullR.p50 / firstP.p50 : null,
    },
    runs: runsOut,
  };
}

// ---- S7: engine memory ----

/**
 * Sizes of the engine's WebAssembly memories (the Automerge wasm heap), which Runtime.getHeapUsage
 * does not count (checked: a new 64 MB WebAssembly.Memory leaves backingStorageSize unchanged, a
 * 32 MB ArrayBuffer adds 32 MB). The memory is held in a module-scope variable of the engine chunk
 * (wasm-bindgen's `wasm` exports), reachable only through closures: from `self.onconnect` (the
 * entry) to its module scope, to the engine object it holds, to that object's methods' module scope
 * (the engine chunk); every object variable of those scopes is checked for a WebAssembly.Memory or
 * a `.memory` one. (Runtime.queryObjects would be simpler but never answers in the SharedWorker.)
 */
async function wasmMemories(engine) {
  const group = 'pinax-bench-wasm';
  const props = async (objectId) => engine.send('Runtime.getProperties', { objectId, ownProperties: true });
  const scopesOf = async (objectId) => {
    const { internalProperties = [] } = await props(objectId);
    const scopes = internalProperties.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (!scopes) return [];
    const { result } = await props(scopes);
    return result.filter((r) => /^\d+$/.test(r.name) && r.value?.objectId).map((r) => r.value);
  };
  try {
    const { result: entry } = await engine.send('Runtime.evaluate', {
      expression: 'self.onconnect',
      objectGroup: group,
    });
    if (!entry?.objectId) throw new Error('the engine has no onconnect handler');
    const modules = [];
    for (const scope of await scopesOf(entry.objectId)) {
      if (scope.description !== 'Module') continue;
      modules.push(scope);
      const { result: vars } = await props(scope.objectId);
      for (const v of vars) {
        if (v.value?.type !== 'object' || v.value.className !== 'Object') continue;
        const { result: members } = await props(v.value.objectId);
        const method = members.find((m) => m.value?.type === 'function');
        if (!method) continue;
        for (const s of await scopesOf(method.value.objectId))
          if (s.description === 'Module') modules.push(s);
      }
    }
    const candidates = [];
    for (const scope of modules) {
      const { result: vars } = await props(scope.objectId);
      for (const v of vars)
        if (v.value?.type === 'object' && v.value.objectId) candidates.push({ objectId: v.value.objectId });
    }
    const { result } = await engine.send('Runtime.callFunctionOn', {
      objectId: entry.objectId,
      arguments: candidates,
      functionDeclaration: `function (...values) {
        const seen = new Set();
        const sizes = [];
        for (const v of values) {
          let memory = null;
          if (v instanceof WebAssembly.Memory) memory = v;
          else if (v && typeof v === 'object') {
            try {
              if (v.memory instanceof WebAssembly.Memory) memory = v.memory;
            } catch {}
          }
          if (memory && !seen.has(memory)) {
            seen.add(memory);
            sizes.push(memory.buffer.byteLength);
          }
        }
        return sizes;
      }`,
      returnByValue: true,
    });
    return { bytes: result.value, modulesSearched: modules.length, variablesChecked: candidates.length };
  } catch (error) {
    return { bytes: null, error: String(error?.message ?? error) };
  } finally {
    await engine.send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => undefined);
  }
}

async function engineHeap(context, page) {
  const engine = await attachEngineSession(context, page);
  try {
    await engine.send('HeapProfiler.collectGarbage');
    const heap = await engine.send('Runtime.getHeapUsage');
    const wasm = await wasmMemories(engine);
    return {
      ...heap,
      wasmMemory: wasm,
      wasmMemoryTotalBytes: Array.isArray(wasm.bytes) ? wasm.bytes.reduce((sum, b) => sum + b, 0) : null,
    };
  } finally {
    await engine.detach();
  }
}

/**
 * The engine's heap (Runtime.getHeapUsage in the SharedWorker after HeapProfiler.collectGarbage):
 * `atStart` right after a new engine's page shows the collection in the sidebar (the engine keeps
 * loading joined collections in the background), `loaded` with the large collection open in the page
 * (header shows all items) and one search done through the search box.
 */
export async function measureEngineMemory(
  device,
  baseUrl,
  { name, collectionId, count, query, log = () => undefined },
) {
  await killEngine(device);
  const page = await device.context.newPage();
  try {
    await page.goto(`${baseUrl}/#/`);
    await waitForMarks(page, [`sidebar:${name}`], { timeout: 60_000 });
    const atStartMs = await page.evaluate(() => performance.now());
    const atStart = await engineHeap(device.context, page);
    await page.evaluate((id) => (location.hash = `#/c/${id}`), collectionId);
    await waitForMarks(page, [`count:${count} items`, 'firstRow'], { timeout: 120_000 });
    await page.getByRole('searchbox', { name: 'Search' }).fill(query);
    await page.getByRole('list', { name: 'Search results' }).getByRole('listitem').first().waitFor();
    await sleep(2000);
    const loaded = await engineHeap(device.context, page);
    const mib = (b) => (typeof b === 'number' ? `${(b / 1024 / 1024).toFixed(1)} MiB` : '-');
    log(
      `  engine heap: at start ${mib(atStart.usedSize)} (+ wasm ${mib(atStart.wasmMemoryTotalBytes)}), loaded + searched ${mib(loaded.usedSize)} (+ wasm ${mib(loaded.wasmMemoryTotalBytes)})`,
    );
    return {
      method:
        "CDP into the SharedWorker: HeapProfiler.collectGarbage, then Runtime.getHeapUsage (usedSize/totalSize: V8 heap; embedderHeapUsedSize; backingStorageSize: ArrayBuffer backing stores, when Chromium reports it; none of them counts wasm memory); wasmMemory: byteLength of the engine's WebAssembly.Memory (the Automerge wasm heap), found through the engine's closures",
      atStart: { ...atStart, msSinceNavigation: atStartMs },
      loaded: { ...loaded, query },
    };
  } finally {
    await page.close().catch(() => undefined);
  }
}

// ---- S6: import until searchable ----

/** The JSON file of `count` lib/data.mjs items (seed 2), each body starting with `token`. */
export function importFile(count, token) {
  const items = Array.from({ length: count }, (_, i) => {
    const item = makeItem(i, 2);
    return { title: item.title, body: `${token} ${item.body}`, tags: item.tags };
  });
  return Buffer.from(JSON.stringify(items));
}

/**
 * Each run: a new collection, its page, a search subscription for `token` in it opened in the page,
 * then Import -> "Import file" -> setInputFiles. Times (page performance.now()) from just before the
 * setInputFiles call to: the change event on the input, the UI saying "Imported N items.", and the
 * subscription reporting total === count with no indexing pending (fully searchable). The
 * collection is deleted afterwards so later measures see the engine as before.
 */
export async function measureImport(
  device,
  baseUrl,
  { count, runs, token = 'zqxjk', log = () => undefined },
) {
  const file = importFile(count, token);
  // Handed over by path, as a file a person picks: Chromium reads it from disk. As a buffer,
  // Playwright first copies it through the DevTools protocol (base64, ~4 s for these 11 MB), a cost
  // no user pays.
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pinax-bench-import-'));
  const filePath = path.join(dir, `bench-${count}.json`);
  await fs.promises.writeFile(filePath, file);
  const details = [];
  try {
    for (let run = 0; run < runs; run++) await importRun(run);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
  return summarizeImport(details, { count, token, fileBytes: file.byteLength });

  async function importRun(run) {
    const page = await openApp(device, baseUrl, '#/');
    try {
      await page.bringToFront();
      const { collectionId } = await command(page, {
        type: 'createCollection',
        name: `Bench import ${run + 1}`,
      });
      await page.evaluate((id) => (location.hash = `#/c/${id}`), collectionId);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const input = page.getByLabel('Import file');
      await input.waitFor({ state: 'attached' });
      await page.evaluate(
        ({ collectionId, token, count }) => {
          const now = () => performance.now();
          const t = {
            changeAt: null,
            importedAt: null,
            searchableAt: null,
            statusLog: [],
            payloads: 0,
            last: null,
          };
          window.__importBench = t;
          document.getElementById('import-file')?.addEventListener('change', () => (t.changeAt ??= now()), {
            capture: true,
          });
          t.unsubscribe = window.__pinax.client.subscribe(
            { type: 'search', query: token, collectionId },
            (p) => {
              t.payloads++;
              t.last = { at: now(), total: p.total, pending: p.indexing.pending, tookMs: p.tookMs };
              if (t.searchableAt === null && p.total === count && p.indexing.pending === 0)
                t.searchableAt = now();
            },
          );
          const panel = document.querySelector('section[aria-label="Import and export"]');
          new MutationObserver(() => {
            const text = panel.querySelector('.import-progress p[role="status"]')?.textContent.trim();
            if (!text || t.statusLog.at(-1)?.[1] === text) return;
            t.statusLog.push([now(), text]);
            if (text === `Imported ${count} items.`) t.importedAt ??= now();
          }).observe(panel, { childList: true, subtree: true, characterData: true });
        },
        { collectionId, token, count },
      );
      await sleep(300); // the subscription's first (empty) payload
      const relayCpuBefore = await relayCpuSeconds(baseUrl);
      const t0 = await page.evaluate(() => performance.now());
      await input.setInputFiles(filePath);
      await page.waitForFunction(
        () => window.__importBench.searchableAt !== null && window.__importBench.importedAt !== null,
        null,
        { timeout: 180_000, polling: 50 },
      );
      const relayCpuAtSearchable = await relayCpuSeconds(baseUrl);
      const t = await page.evaluate(() => {
        const { unsubscribe, ...rest } = window.__importBench;
        unsubscribe();
        return rest;
      });
      // The relay may still be applying and storing the import: let it finish before reading again.
      await sleep(RELAY_SETTLE_MS);
      const relayCpuSettled = await relayCpuSeconds(baseUrl);
      const detail = {
        collectionId,
        fileBytes: file.byteLength,
        searchableMs: t.searchableAt - t0,
        importedShownMs: t.importedAt - t0,
        changeEventMs: t.changeAt !== null ? t.changeAt - t0 : null,
        // The same end, from the input's change event (after Playwright has handed the file over).
        searchableFromChangeMs: t.changeAt !== null ? t.searchableAt - t.changeAt : null,
        searchPayloads: t.payloads,
        // CPU the relay process used from t0, on the same 2 cores as the browser.
        relayCpuUntilSearchableMs: cpuMs(relayCpuBefore, relayCpuAtSearchable),
        relayCpuMs: cpuMs(relayCpuBefore, relayCpuSettled),
        last: t.last,
        statusLog: t.statusLog.map(([at, text]) => [at - t0, text]),
      };
      details.push(detail);
      log(
        `  import ${run + 1}/${runs}: searchable ${detail.searchableMs.toFixed(0)} ms, "Imported" shown ${detail.importedShownMs.toFixed(0)} ms, relay CPU ${detail.relayCpuMs?.toFixed(0)} ms (${detail.relayCpuUntilSearchableMs?.toFixed(0)} ms until searchable)`,
      );
      await page.evaluate(() => (location.hash = '#/'));
      await command(page, { type: 'deleteCollection', collectionId });
      await sleep(1500);
    } finally {
      await page.close().catch(() => undefined);
    }
  }
}

const RELAY_SETTLE_MS = 5000;

/** The relay process's CPU seconds so far, from its /metrics; null when it cannot be read. */
async function relayCpuSeconds(baseUrl) {
  try {
    const text = await (await fetch(new URL('/metrics', baseUrl))).text();
    const match = /^pinax_relay_cpu_seconds_total (\S+)$/m.exec(text);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function cpuMs(before, after) {
  return before === null || after === null ? null : (after - before) * 1000;
}

function summarizeImport(details, { count, token, fileBytes }) {
  return {
    method:
      'new collection per run; a search subscription for the token (in every imported body) opened in the page first; t0 = page performance.now() just before locator.setInputFiles(path) on "Import file"; searchable = the subscription reports total === items and indexing.pending === 0; the collection is deleted after each run',
    items: count,
    token,
    fileBytes,
    searchableMs: summarize(details.map((d) => d.searchableMs)),
    importedShownMs: summarize(details.map((d) => d.importedShownMs)),
    changeEventMs: summarize(details.map((d) => d.changeEventMs)),
    searchableFromChangeMs: summarize(details.map((d) => d.searchableFromChangeMs)),
    relayCpuMs: summarize(details.map((d) => d.relayCpuMs)),
    relayCpuUntilSearchableMs: summarize(details.map((d) => d.relayCpuUntilSearchableMs)),
    runs: details,
  };
}
