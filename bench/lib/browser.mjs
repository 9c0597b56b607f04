// Browser plumbing for the benchmarks: persistent (disk-backed) Chromium profiles, an init script
// that only observes (timestamps DOM milestones and the tab<->engine port traffic), and helpers to
// drive the app through window.__pinax. Nothing here changes how the app behaves.
//
// Why persistent contexts: Playwright's browser.newContext() is an off-the-record profile whose
// IndexedDB lives in memory, which would make every "durable" ack and every cold start look faster
// than on a real device. launchPersistentContext gives each "device" a real profile on disk.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { processesCpuMs } from './process-cpu.mjs';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Diagnostics only, never in a reported run: extra switches, such as
  // `--disable-features=DeferRendererTasksAfterInput` (README: "Extra browser switches", and S3).
  ...(process.env['PINAX_BENCH_CHROMIUM_ARGS']?.split(/\s+/).filter(Boolean) ?? []),
];

export function chromiumVersion() {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .pop();
  } catch (error) {
    return `unknown (${String(error)})`;
  }
}

/** Everything launched here, so a failing or interrupted run can still close it all. */
const live = { contexts: new Set(), dirs: new Set() };

/** Launches a fresh device: a persistent Chromium profile in a new temp dir, instrumented. */
export async function launchDevice(label) {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), `pinax-bench-${label}-`));
  live.dirs.add(dir);
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
  live.contexts.add(context);
  context.on('close', () => live.contexts.delete(context));
  await context.addInitScript(instrument);
  context.setDefaultTimeout(30_000);
  const settleMs = await waitForBrowserQuiet(dir);
  return { label, dir, context, settleMs };
}

/**
 * Waits until the browser just launched on profile `dir` has finished starting: until its processes
 * used at most QUIET_CPU_MS of CPU in each of two QUIET_SAMPLE_MS windows (Linux /proc), at most
 * SETTLE_MAX_MS. Returns how long that took. Why: a Chromium launch keeps a renderer busy for
 * ~0.5 s after the launch returns (it preloads the omnibox popup's WebUI: ~0.6 s of CPU, traced),
 * and a measure that navigated at once shared the machine's two cores with it. A device that opens
 * a link runs a browser that started long before; only the profile is new.
 */
export async function waitForBrowserQuiet(dir) {
  const started = performance.now();
  const flag = `--user-data-dir=${dir}`;
  let before = await processesCpuMs(flag);
  if (before === null) {
    await sleep(SETTLE_MAX_MS / 5); // no /proc: a fixed wait instead
    return performance.now() - started;
  }
  let quietWindows = 0;
  while (quietWindows < 2 && performance.now() - started < SETTLE_MAX_MS) {
    await sleep(QUIET_SAMPLE_MS);
    const now = (await processesCpuMs(flag)) ?? before;
    quietWindows = now - before <= QUIET_CPU_MS ? quietWindows + 1 : 0;
    before = now;
  }
  return performance.now() - started;
}

export async function closeDevice(device, { keepProfile = false } = {}) {
  if (!device) return;
  await device.context.close().catch(() => undefined);
  if (!keepProfile) {
    await fs.promises.rm(device.dir, { recursive: true, force: true }).catch(() => undefined);
    live.dirs.delete(device.dir);
  }
}

/** Closes every browser launched here and, unless `keepProfiles`, deletes their profile dirs. */
export async function closeAllDevices({ keepProfiles = false } = {}) {
  for (const context of [...live.contexts]) await context.close().catch(() => undefined);
  if (keepProfiles) return [...live.dirs];
  for (const dir of [...live.dirs])
    await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  live.dirs.clear();
  return [];
}

/** Opens the app at `hash` in a new page of the device and waits for the engine client. */
export async function openApp(device, baseUrl, hash = '#/') {
  const page = await device.context.newPage();
  await page.goto(`${baseUrl}/${hash}`);
  await page.waitForFunction(() => Boolean(window.__pinax?.client), null, { timeout: 30_000 });
  return page;
}

/**
 * Opens the app in a page of its own WINDOW (a `popup, noopener` window.open from another page of
 * the device), not a tab. In headless Chromium a page that is a background tab of a window still
 * reports visibilityState "visible", but it only gets about one animation frame per second once its
 * DOM changes (measured: rAF after a DOM change ~950 ms in the background tab, <= 16 ms in a
 * separate window). Two windows side by side is also the only way a person sees both tabs at once.
 */
export async function openAppWindow(device, baseUrl, hash = '#/') {
  let opener = device.context.pages().find((p) => p.url() === 'about:blank');
  if (!opener) opener = await device.context.newPage();
  const [page] = await Promise.all([
    device.context.waitForEvent('page', { timeout: 15_000 }),
    opener.evaluate(() => {
      window.open('about:blank', '_blank', 'popup,noopener,width=1280,height=800');
    }),
  ]);
  await page.goto(`${baseUrl}/${hash}`);
  await page.waitForFunction(() => Boolean(window.__pinax?.client), null, { timeout: 30_000 });
  return page;
}

/** Runs one engine command in the page and returns its result. */
export function command(page, cmd) {
  return page.evaluate((c) => window.__pinax.client.command(c), cmd);
}

/** Closes every page of the device that shows the app, keeping (or opening) one about:blank page,
 * then waits until Chromium reports no SharedWorker: the engine is gone and the next page starts a
 * new one. Returns how long the worker took to go away. */
export async function killEngine(device, timeoutMs = 15_000) {
  let blank = device.context.pages().find((p) => p.url() === 'about:blank');
  if (!blank) blank = await device.context.newPage();
  for (const page of device.context.pages()) if (page !== blank) await page.close();
  const cdp = await device.context.newCDPSession(blank);
  const started = Date.now();
  try {
    for (;;) {
      const { targetInfos } = await cdp.send('Target.getTargets');
      if (!targetInfos.some((t) => t.type === 'shared_worker')) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error('the SharedWorker engine did not go away');
      await sleep(50);
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Waits until the page's service worker registration has an activated worker (offline-capable). */
export async function waitForServiceWorker(page, timeoutMs = 60_000) {
  await waitForAsync(
    page,
    async () => (await navigator.serviceWorker.getRegistration())?.active?.state === 'activated',
    null,
    { timeout: timeoutMs, polling: 200 },
  );
}

/**
 * `page.waitForFunction` for an async predicate. waitForFunction does not await what the function
 * returns: a promise counts as truthy, so it returns at once (checked: a predicate resolving false
 * "passed" after one poll). This evaluates the predicate, awaited, every `polling` ms instead.
 */
export async function waitForAsync(page, predicate, arg, { timeout = 60_000, polling = 100 } = {}) {
  const started = Date.now();
  for (;;) {
    if (await page.evaluate(predicate, arg)) return;
    if (Date.now() - started > timeout)
      throw new Error(`waited ${timeout} ms: ${String(predicate).slice(0, 120)}`);
    await sleep(polling);
  }
}

/** The sync status text ("Offline", "Connecting", "Syncing", "Synced"). */
export function syncStatus(page) {
  return page.evaluate(
    () => document.querySelector('[role="status"][aria-label="Sync status"]')?.textContent?.trim() ?? null,
  );
}

export async function waitForSyncStatus(page, state, timeoutMs = 120_000) {
  await page.waitForFunction(
    (s) => document.querySelector('[role="status"][aria-label="Sync status"]')?.textContent?.trim() === s,
    state,
    { timeout: timeoutMs, polling: 100 },
  );
}

/** What the page shows, for error messages: main and sidebar text, sync status, marks. */
export async function describePage(page) {
  try {
    return await page.evaluate(() => ({
      url: location.href,
      main: document.querySelector('main')?.innerText.slice(0, 300) ?? null,
      sidebar: document.querySelector('nav[aria-label="Collections"]')?.innerText.slice(0, 200) ?? null,
      status: document.querySelector('[role="status"][aria-label="Sync status"]')?.textContent ?? null,
      marks: window.__bench ? { ...window.__bench.marks } : null,
      statusLog: window.__bench?.statusLog ?? null,
    }));
  } catch (error) {
    return { unavailable: String(error).split('\n')[0] };
  }
}

/**
 * Waits until every init-script mark in `keys` (e.g. "count:10000 items", "firstRow") has been
 * seen; on timeout, throws with what the page shows instead.
 */
export async function waitForMarks(page, keys, { timeout = 60_000, polling = 50 } = {}) {
  try {
    await page.waitForFunction((keys) => keys.every((k) => window.__bench?.marks[k] !== undefined), keys, {
      timeout,
      polling,
    });
  } catch (error) {
    const state = await describePage(page);
    throw new Error(
      `waiting ${timeout} ms for ${keys.join(' + ')}: ${String(error).split('\n')[0]}; page: ${JSON.stringify(state)}`,
      { cause: error },
    );
  }
  return page.evaluate(() => ({ ...window.__bench.marks }));
}

/** The milestones the init script recorded (ms since this document's navigation start). */
export function marks(page) {
  return page.evaluate(() => ({ ...window.__bench.marks, statusLog: window.__bench.statusLog }));
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The init script, run in every document before the app's own code. It only observes:
 * - `__bench.marks`: the first time (performance.now(), i.e. ms since navigation start) each DOM
 *   milestone is seen: `sidebar:<name>` (a collection link), `count:<text>` (the collection header's
 *   item count), `firstRow` (first row in the list named "Items"), `status:<text>` (sync status);
 * - the SharedWorker port: the SharedWorker constructor is wrapped so the bench sees (before the app
 *   does) every message the engine posts, and every command the tab posts. A "probe" armed with a
 *   title records when an updateItem with that title is posted (postAt), acknowledged (ackAt), when a
 *   patch carrying it arrives (recvAt), when it shows in the list (domAt), the next animation frame
 *   (frameAt) and, on the typing side, the keydown that caused it (keyAt / keyStamp) and the input
 *   event that followed (inputAt).
 * Times are local to the page; `__bench.now()` gives performance.timeOrigin + performance.now() to
 * compare pages.
 */
function instrument() {
  if (!/^https?:$/.test(location.protocol)) return;
  const now = () => performance.now();
  const bench = {
    marks: Object.create(null),
    /** Every change of the sync status text: [ms since navigation start, text]. */
    statusLog: [],
    probe: null,
    now: () => performance.timeOrigin + performance.now(),
    arm(title) {
      bench.probe = {
        title,
        keyAt: null,
        keyStamp: null,
        inputAt: null,
        postAt: null,
        postId: null,
        ackAt: null,
        recvAt: null,
        domAt: null,
        frameAt: null,
      };
      if (bench.watching) bench.checkDom();
    },
    watching: false,
    titleObserver: null,
    /** Starts watching the list named "Items" for the probe's title (tab B). */
    watchTitles() {
      if (bench.titleObserver) return;
      bench.watching = true;
      bench.titleObserver = new MutationObserver(() => bench.checkDom());
      bench.titleObserver.observe(document.body, { childList: true, subtree: true, characterData: true });
    },
    checkDom() {
      const probe = bench.probe;
      if (!probe || probe.domAt !== null) return;
      const list = document.querySelector('ul[aria-label="Items"]');
      if (!list) return;
      for (const span of list.querySelectorAll('li .title')) {
        if (span.textContent === probe.title) {
          probe.domAt = now();
          requestAnimationFrame(() => {
            probe.frameAt = now();
            bench.settle('seen', probe);
          });
          return;
        }
      }
    },
    waiters: { seen: [], acked: [] },
    settle(kind, probe) {
      for (const waiter of bench.waiters[kind].splice(0)) waiter(probe === bench.probe);
    },
    /** Resolves true once the armed probe's title has been rendered (and a frame has passed). */
    whenSeen(timeoutMs) {
      const probe = bench.probe;
      if (probe?.frameAt !== null && probe?.frameAt !== undefined) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        bench.waiters.seen.push((ok) => {
          clearTimeout(timer);
          resolve(ok);
        });
      });
    },
    /** Resolves true once the armed probe's command is acknowledged and no write is pending. */
    whenIdle(timeoutMs) {
      const started = now();
      return new Promise((resolve) => {
        const check = () => {
          const probe = bench.probe;
          if (probe?.ackAt !== null && window.__pinax?.client.pendingWrites() === 0) return resolve(true);
          if (now() - started > timeoutMs) return resolve(false);
          setTimeout(check, 2);
        };
        check();
      });
    },
    markObserver: null,
    stopMarks() {
      bench.markObserver?.disconnect();
      bench.markObserver = null;
    },
  };
  window.__bench = bench;

  const mark = (key) => {
    if (!(key in bench.marks)) bench.marks[key] = now();
  };
  const scan = () => {
    for (const name of document.querySelectorAll('nav[aria-label="Collections"] a[href^="#/c/"] .name'))
      mark(`sidebar:${name.textContent}`);
    const count = document.querySelector('.collection-header .count');
    if (count) mark(`count:${count.textContent.trim()}`);
    if (document.querySelector('ul[aria-label="Items"] li')) mark('firstRow');
    const status = document.querySelector('[role="status"][aria-label="Sync status"]');
    if (status) {
      const text = status.textContent.trim();
      mark(`status:${text}`);
      const log = bench.statusLog;
      if (log.length === 0 || log[log.length - 1][1] !== text) log.push([now(), text]);
    }
  };
  bench.markObserver = new MutationObserver(scan);
  bench.markObserver.observe(document, { childList: true, subtree: true, characterData: true });
  bench.resetMarks = () => {
    for (const key of Object.keys(bench.marks)) delete bench.marks[key];
    if (!bench.markObserver) {
      bench.markObserver = new MutationObserver(scan);
      bench.markObserver.observe(document, { childList: true, subtree: true, characterData: true });
    }
    scan();
  };

  addEventListener(
    'keydown',
    (event) => {
      const probe = bench.probe;
      if (probe && probe.keyAt === null) {
        probe.keyAt = now();
        probe.keyStamp = event.timeStamp;
      }
    },
    true,
  );

  // The first input event after the keydown: splits A's part into the browser's (keydown to input)
  // and the app's (input handler to post).
  addEventListener(
    'input',
    () => {
      const probe = bench.probe;
      if (probe && probe.inputAt === null) probe.inputAt = now();
    },
    true,
  );

  const hookPort = (port) => {
    const post = port.postMessage.bind(port);
    port.postMessage = (message, transfer) => {
      const probe = bench.probe;
      if (
        probe &&
        probe.postAt === null &&
        message?.t === 'cmd' &&
        message.cmd?.type === 'updateItem' &&
        message.cmd.title === probe.title
      ) {
        probe.postAt = now();
        probe.postId = message.id;
      }
      return transfer === undefined ? post(message) : post(message, transfer);
    };
    port.addEventListener('message', (event) => {
      const probe = bench.probe;
      if (!probe) return;
      const message = event.data;
      if (message?.t === 'ack' && message.id === probe.postId && probe.ackAt === null) probe.ackAt = now();
      else if (
        message?.t === 'data' &&
        probe.recvAt === null &&
        message.payload?.kind === 'patch' &&
        message.payload.upserts?.some((row) => row.title === probe.title)
      )
        probe.recvAt = now();
    });
  };
  const Original = window.SharedWorker;
  if (typeof Original === 'function') {
    const Hooked = function SharedWorker(...args) {
      const worker = new Original(...args);
      hookPort(worker.port);
      return worker;
    };
    Hooked.prototype = Original.prototype;
    window.SharedWorker = Hooked;
  }
}

// What waitForBrowserQuiet counts as quiet, and how long it waits at most.
const QUIET_SAMPLE_MS = 200;
const QUIET_CPU_MS = 20;
const SETTLE_MAX_MS = 5_000;
