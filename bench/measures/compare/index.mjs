// Comparison benchmarks: a fresh browser profile receives the same items (makeItem(i, 1)) through
// a localhost server and stores them in its IndexedDB, in three designs:
//   automergePerItem  the common automerge-repo way: one document per item plus an index document,
//                     stock sync server (WebSocket + NodeFS), stock IndexedDB storage adapter;
//   yjs               one Y.Doc with a Y.Map per item, y-websocket server, y-indexeddb;
//   floor             no CRDT: one JSON message over a WebSocket, one Dexie bulkPut.
// Each timed run is a brand-new persistent Chromium profile (lib/browser.mjs) opening a page served
// by the design's server process; times are the page's performance.now(), i.e. ms since that
// page's navigation started. Each server is a child process on a free port of 127.0.0.1 with a
// temp data dir, seeded and holding its data in memory (not timed) before the runs; see the
// seeders/ for how (automerge's data dir is written before its server starts, then loaded into it
// by a Node client). The page verifies (not timed) that what it stored holds every item. A design
// that fails returns { error } (with the runs so far) and the others still run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDevice, launchDevice } from '../../lib/browser.mjs';
import { round, summarize } from '../../lib/stats.mjs';
import {
  bundleClient,
  COMPARE_DIR,
  errorMessage,
  getJson,
  NODE_MODULES,
  prepareStockAutomergeRepo,
  runClientPage,
  startNode,
  stockNode,
} from './lib.mjs';

const SEED = 1;
const AUTOMERGE_TIMEOUT_MS = 300_000;
const CLIENT_TIMEOUT_MS = 120_000;
const YJS_ROOM = 'compare-items';

function version(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(NODE_MODULES, name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function versions(names) {
  return Object.fromEntries(names.map((name) => [name, version(name)]));
}

function roundObject(object) {
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
  );
}

/**
 * Timed runs against a ready server at `base`: each in a brand-new profile that opens `pageUrl`
 * and waits for the client's result. Throws (with the runs so far on `error.runs`) if a run fails
 * or what it stored is incomplete.
 */
async function timedRuns({ label, base, pageUrl, runs, timeoutMs, log }) {
  const samples = [];
  const details = [];
  for (let run = 0; run < runs; run++) {
    // The wire counters only describe a run: a server too busy to answer them in time (the stock
    // automerge server, still working through 10k documents) must not cost the run itself.
    const reset = await getJson(`${base}/__stats?reset=1`).then(
      () => null,
      (error) => `reset failed: ${error.message}`,
    );
    const loadAverage = os.loadavg()[0];
    const device = await launchDevice(`compare-${label}-${run}`);
    try {
      const { result } = await runClientPage(device, pageUrl, timeoutMs);
      const wire = await getJson(`${base}/__stats`).then(
        (stats) => (reset ? { ...stats, error: reset } : stats),
        (error) => ({ error: `${reset ? `${reset}; ` : ''}stats failed: ${error.message}` }),
      );
      // The 1-minute load average of the machine before and after the run (2 cores, shared).
      const detail = {
        run,
        ...roundObject(result),
        wire,
        loadAverage: [round(loadAverage, 2), round(os.loadavg()[0], 2)],
      };
      details.push(detail);
      if (!result.verified)
        throw new Error(`run ${run}: the stored data is incomplete: ${JSON.stringify(detail)}`);
      samples.push(round(result.doneMs));
      log(
        `  ${label} ${run + 1}/${runs}: ${result.doneMs.toFixed(0)} ms, stored ${result.storedRecords} records, ` +
          `${result.storedBytes} B`,
      );
    } catch (error) {
      error.runs = details;
      throw error;
    } finally {
      await closeDevice(device);
    }
  }
  return { samples, details };
}

/** What a design returns from its timed runs. */
function designResult({ method, notes, samples, details, extra = {} }) {
  const first = details[0] ?? {};
  return {
    method,
    ms: summarize(samples),
    samples,
    bytes: first.storedBytes,
    notes,
    storageUsageBytes: first.storageUsageBytes,
    wireBytes: first.wire?.sentBytes,
    wireMessages: first.wire?.sentMessages,
    ...extra,
    runs: details,
  };
}

/** Runs `fn`; on failure returns `{ error, method, ... }` instead of throwing. */
async function guarded(name, method, fn, log) {
  try {
    return await fn();
  } catch (error) {
    log(`  ${name} FAILED: ${errorMessage(error).slice(0, 500)}`);
    return { error: errorMessage(error), method, ...(error?.runs ? { runs: error.runs } : {}) };
  }
}

// ---------------------------------------------------------------------------------------------

async function measureAutomergePerItem({ items, root, log }) {
  const dir = path.join(root, 'automerge');
  const staticDir = path.join(dir, 'static');
  const dataDir = path.join(dir, 'data');
  await fs.promises.mkdir(dataDir, { recursive: true });
  const stock = await prepareStockAutomergeRepo(path.join(dir, 'stock'));
  const { nodeArgs, env } = await stockNode(stock.files, path.join(dir, 'stock-map.json'));
  await bundleClient('automerge-client', staticDir, { stockFiles: stock.files, title: 'automergePerItem' });
  await fs.promises.copyFile(
    path.join(NODE_MODULES, '@automerge/automerge/dist/automerge.wasm'),
    path.join(staticDir, 'automerge.wasm'),
  );

  let server;
  let seeder;
  let warmer;
  try {
    log(`  automerge: writing ${items} item documents + an index document to the server's data dir`);
    seeder = await startNode(path.join(COMPARE_DIR, 'seeders/automerge-seed.mjs'), {
      env: { ...env, DATA_DIR: dataDir, ITEMS: String(items), SEED: String(SEED) },
      nodeArgs,
      timeoutMs: Math.max(120_000, items * 90),
      label: 'automerge seeder',
      log,
    });
    const seed = seeder.info;
    await seeder.stop();
    server = await startNode(path.join(COMPARE_DIR, 'servers/automerge-server.mjs'), {
      env: { ...env, DATA_DIR: dataDir, STATIC_DIR: staticDir },
      nodeArgs,
      label: 'automerge server',
    });
    const base = `http://127.0.0.1:${server.info.port}`;
    log(`  automerge: written in ${(seed.writtenMs / 1000).toFixed(1)} s; loading them into the server`);
    warmer = await startNode(path.join(COMPARE_DIR, 'seeders/automerge-warm.mjs'), {
      env: { ...env, SERVER: base, INDEX: seed.indexUrl, ITEMS: String(items) },
      nodeArgs,
      timeoutMs: Math.max(120_000, items * 90),
      label: 'automerge warm-up',
      log,
    });
    await warmer.stop();
    log(`  automerge: server warm in ${(warmer.info.warmMs / 1000).toFixed(1)} s; timed run (once)`);
    // A run that is still loading documents when the timeout ends is kept as what it is: this
    // design takes longer than the timeout, a lower bound (`censored`), rather than an error.
    let censored;
    const { samples, details } = await timedRuns({
      label: 'automergePerItem',
      base,
      pageUrl: `${base}/?index=${encodeURIComponent(seed.indexUrl)}&n=${items}`,
      runs: 1,
      timeoutMs: AUTOMERGE_TIMEOUT_MS,
      log,
    }).catch((error) => {
      if (!error?.censored) throw error;
      censored = error.censored;
      log(`  automergePerItem: still loading after ${AUTOMERGE_TIMEOUT_MS / 1000} s; kept as a lower bound`);
      return { samples: [], details: error.runs ?? [] };
    });
    const stockOk = server.info.stockRepo && details.every((d) => d.stockRepo);
    const trouble = details
      .filter((d) => d.unavailable > 0 || d.peerDisconnects > 0)
      .map((d) => `run ${d.run}: ${d.unavailable} finds unavailable, ${d.peerDisconnects} disconnects`);
    return designResult({
      method:
        `From the fresh page's navigation start until all ${items} item documents, found through the index ` +
        `document with at most 32 repo.find() in flight, are ready and repo.flush() to the stock IndexedDB ` +
        `storage adapter has resolved (page performance.now()).`,
      notes:
        `Fields are plain JS strings (Automerge 3 stores them as collaborative text, not ImmutableString); ` +
        `tags a list of strings; the index document is { items: [url, ...] }. Run once regardless of runs ` +
        `(timeout ${AUTOMERGE_TIMEOUT_MS / 1000} s). Server: new Repo({ network: [new WebSocketServerAdapter(wss)], ` +
        `storage: new NodeFSStorageAdapter(dir) }), surviving (and counting, wire.unhandledRejections) the ` +
        `unhandled whenReady() timeout rejections stock automerge-repo can raise. Seeding (not timed): a Node ` +
        `process with the stock Repo + NodeFSStorageAdapter writes the documents to the server's data dir before ` +
        `it starts (seeding through the server is O(N^2) in the stock NodeFS adapter and crashed it under load, ` +
        `see seeders/automerge-seed.mjs), then a Node client Repo finds them all through the server, so the ` +
        `server holds every document in memory during the timed run. ` +
        `${stock.note}${stockOk ? '' : ' (WARNING: the stock check failed, the patched code may have run)'}. ` +
        `Client: @automerge/automerge-repo/slim + initializeWasm(fetch('/automerge.wasm')), bundled by rolldown. ` +
        `bytes: sum of the binary values in the 'automerge' database (snapshots, incrementals, sync states). ` +
        `A find that fails as unavailable because the connection dropped waits for its handle to become ` +
        `ready after reconnection (counted as unavailable/recovered in runs)` +
        (trouble.length ? `; THIS HAPPENED: ${trouble.join('; ')}.` : `; it did not happen.`),
      samples,
      details,
      extra: {
        ...(censored ? { censored } : {}),
        seed: roundObject({
          writtenMs: seed.writtenMs,
          documents: seed.documents,
          warmMs: warmer.info.warmMs,
          warmUnavailable: warmer.info.unavailable,
        }),
        stockAutomergeRepo: stockOk,
        versions: versions([
          '@automerge/automerge',
          '@automerge/automerge-repo',
          '@automerge/automerge-repo-network-websocket',
          '@automerge/automerge-repo-storage-nodefs',
          '@automerge/automerge-repo-storage-indexeddb',
        ]),
      },
    });
  } finally {
    await warmer?.stop();
    await seeder?.stop();
    await server?.stop();
  }
}

async function measureYjs({ items, runs, root, log }) {
  const dir = path.join(root, 'yjs');
  const staticDir = path.join(dir, 'static');
  const dataDir = path.join(dir, 'data');
  await fs.promises.mkdir(dataDir, { recursive: true });
  await bundleClient('yjs-client', staticDir, { title: 'yjs' });
  let server;
  let keeper;
  try {
    server = await startNode(path.join(COMPARE_DIR, 'servers/yjs-server.mjs'), {
      env: { YPERSISTENCE: dataDir, STATIC_DIR: staticDir },
      label: 'y-websocket server',
    });
    const base = `http://127.0.0.1:${server.info.port}`;
    log(`  yjs: seeding ${items} items through the y-websocket server`);
    keeper = await startNode(path.join(COMPARE_DIR, 'seeders/yjs-seed.mjs'), {
      env: { SERVER: base, ROOM: YJS_ROOM, ITEMS: String(items), SEED: String(SEED) },
      timeoutMs: Math.max(60_000, items * 20),
      label: 'yjs seeder',
      log,
    });
    log(`  yjs: seeded in ${(keeper.info.syncedMs / 1000).toFixed(1)} s; ${runs} timed run(s)`);
    const { samples, details } = await timedRuns({
      label: 'yjs',
      base,
      pageUrl: `${base}/?room=${YJS_ROOM}&n=${items}`,
      runs,
      timeoutMs: CLIENT_TIMEOUT_MS,
      log,
    });
    return designResult({
      method:
        `From the fresh page's navigation start until the Y.Doc holds all ${items} items and an empty readwrite ` +
        `transaction on y-indexeddb's 'updates' store, created after that, has committed, i.e. after every ` +
        `update y-indexeddb wrote (page performance.now()).`,
      notes:
        `One Y.Doc, Y.Map 'items' of nested Y.Maps (title and body plain strings, not Y.Text; tags a plain ` +
        `array), seeded in one transaction. y-indexeddb has no promise for its writes, hence the barrier ` +
        `transaction (IndexedDB runs overlapping readwrite transactions in creation order). Server: ` +
        `@y/websocket-server's setupWSConnection with LevelDB persistence (YPERSISTENCE) in a temp dir; the ` +
        `seeding client stays connected during the runs, so the server keeps the doc in memory (it drops a ` +
        `persisted doc when its last connection closes), as the automerge server does. Versions: yjs 13 ` +
        `with y-websocket 3 (client), @y/websocket-server 0.1.1 (the last release for yjs 13: 0.1.5 ` +
        `requires yjs ^14.0.0-7) and y-indexeddb 9. bytes: sum of the updates stored by y-indexeddb.`,
      samples,
      details,
      extra: {
        seed: roundObject({ syncedMs: keeper.info.syncedMs, updateBytes: keeper.info.updateBytes }),
        versions: versions([
          'yjs',
          'y-websocket',
          '@y/websocket-server',
          'y-indexeddb',
          'y-protocols',
          'lib0',
        ]),
      },
    });
  } finally {
    await keeper?.stop();
    await server?.stop();
  }
}

async function measureFloor({ items, runs, root, log }) {
  const dir = path.join(root, 'floor');
  const staticDir = path.join(dir, 'static');
  await bundleClient('floor-client', staticDir, { title: 'floor' });
  let server;
  try {
    server = await startNode(path.join(COMPARE_DIR, 'servers/floor-server.mjs'), {
      env: { ITEMS: String(items), SEED: String(SEED), STATIC_DIR: staticDir },
      label: 'floor server',
    });
    const base = `http://127.0.0.1:${server.info.port}`;
    log(`  floor: ${runs} timed run(s)`);
    const { samples, details } = await timedRuns({
      label: 'floor',
      base,
      pageUrl: `${base}/?n=${items}`,
      runs,
      timeoutMs: CLIENT_TIMEOUT_MS,
      log,
    });
    return designResult({
      method:
        `From the fresh page's navigation start until the Dexie read-write transaction that bulkPuts the ` +
        `${items} rows, received as one JSON WebSocket message and parsed, has committed (page performance.now()).`,
      notes:
        `No CRDT. Rows { id, title, body, tags } in a Dexie table 'items' (primary key id); the database is ` +
        `opened while the message is in flight. The server is a plain ws server holding the JSON string ` +
        `(${server.info.jsonBytes} B) ready. bytes: sum of the UTF-8 JSON sizes of the stored rows.`,
      samples,
      details,
      extra: { versions: versions(['dexie', 'ws']) },
    });
  } finally {
    await server?.stop();
  }
}

/** Runs the three comparison designs on `items` items (default 10000) and returns plain JSON. */
export async function measureComparisons({ items = 10000, runs = 1, log = () => {} } = {}) {
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pinax-compare-'));
  const designs = {};
  try {
    log(`== compare: floor (${items} items, ${runs} run(s)) ==`);
    designs.floor = await guarded(
      'floor',
      'JSON over a WebSocket + Dexie bulkPut',
      () => measureFloor({ items, runs, root, log }),
      log,
    );
    log(`== compare: yjs (${items} items, ${runs} run(s)) ==`);
    designs.yjs = await guarded(
      'yjs',
      'y-websocket + y-indexeddb',
      () => measureYjs({ items, runs, root, log }),
      log,
    );
    log(`== compare: automergePerItem (${items} items, 1 run) ==`);
    designs.automergePerItem = await guarded(
      'automergePerItem',
      'automerge-repo, one document per item',
      () => measureAutomergePerItem({ items, root, log }),
      log,
    );
  } finally {
    await fs.promises.rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
  return {
    items,
    designs: { automergePerItem: designs.automergePerItem, yjs: designs.yjs, floor: designs.floor },
  };
}
