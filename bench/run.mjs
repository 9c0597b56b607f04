// Pinax foundation benchmark suite. Plain Node ESM, no TypeScript loader.
//
//   npm run bench                      build, then the full suite (writes bench/results/)
//   node bench/run.mjs --quick         smoke run: 1,000 items, few iterations, results to a temp dir
//   node bench/run.mjs --only tabs,commit --dist /tmp/other-dist
//
// Flags:
//   --quick            fewer items and iterations; results go to the OS temp dir unless --out is given
//   --only a,b         run only these measures: bundle, micro, identity, tabs, commit, cold, fresh, search,
//                      devices (tabs/commit/cold/fresh/search/devices share one seeded device;
//                      seeding runs when any is on). search = search latency in the engine and the
//                      UI, the search index in Node at 10k/100k items (20k with --quick), cold start
//                      to the first search result (persisted vs rebuilt index), import until
//                      searchable, engine memory. fresh = a new profile opens the large collection
//                      and a 1,000-item one through the relay (shown, stored, searchable). devices =
//                      an edit on device A until device B's list shows it, through the relay.
//                      identity = relay handshakes, signature checks, the access guard on vs off.
//                      compare = the same items through other designs (one Automerge document per
//                      item with stock adapters, Yjs, a no-CRDT floor; about 10 minutes at 10k)
//   --search-steps a,b only these steps of the search measure: micro (S2, in Node), engine (S1),
//                      keystroke (S3), memory, cold (S4/S5), import (S6); all by default
//   --items N          items in the large collection (default 10000; 1000 with --quick)
//   --seed MODE        batch (addItems, 1,000 per command), single (one addItem per item, 32 in
//                      flight), or auto (batch when the engine has addItems; the default)
//   --dist DIR         the built app to serve (default <project>/dist; run `npm run build` first)
//   --out DIR          where to write results (default bench/results; temp dir with --quick)
//   --quiet-wait S     before each browser measure wait up to S seconds for the 1-minute load
//                      average to drop below the core count (default 60; 0 with --quick)
//   --keep-profiles    keep the Chromium profiles (temp dirs) for inspection
//   --verbose          echo the relay's log
//
// The relay is a real child process (build/server/server/testing/spawn-relay.js, compiled by
// `npm run build:server`), serving the built app and /sync on 127.0.0.1. Everything launched is
// closed in `finally`, on SIGINT/SIGTERM, and by a global watchdog.

import { execFile as execFileCb } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  chromiumVersion,
  closeAllDevices,
  command,
  killEngine,
  launchDevice,
  openApp,
  sleep,
  waitForMarks,
  waitForServiceWorker,
  waitForSyncStatus,
} from './lib/browser.mjs';
import { attachEngineSession } from './lib/engine-profiler.mjs';
import { fmtBytes, fmtMs, round, roundAll, roundSummary } from './lib/stats.mjs';
import { measureBundle } from './measures/bundle.mjs';
import { measureColdCollection, measureColdHome } from './measures/cold-start.mjs';
import { measureCommit, measureIdbFloor, profileCommit } from './measures/commit.mjs';
import { measureIdentity } from './measures/identity.mjs';
import { measureComparisons } from './measures/compare/index.mjs';
import { measureCrossDevice } from './measures/cross-device.mjs';
import { makeRewarm, measureFreshSync } from './measures/fresh-sync.mjs';
import {
  makeQueries,
  measureColdSearch,
  measureEngineMemory,
  measureEngineSearch,
  measureImport,
  measureSearchKeystrokes,
  runSearchMicroChild,
} from './measures/search.mjs';
import { seedCollection, supportsBatch } from './measures/seed.mjs';
import { clockSkew, measureTabToTab, openPair } from './measures/tab-to-tab.mjs';

const execFile = promisify(execFileCb);
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH_DIR);
const ALL_MEASURES = [
  'bundle',
  'micro',
  'identity',
  'tabs',
  'commit',
  'cold',
  'fresh',
  'search',
  'devices',
  'compare',
];
const SEARCH_STEPS = ['micro', 'engine', 'keystroke', 'memory', 'cold', 'import'];
const WATCHDOG_MS = 60 * 60 * 1000;

// ---- options ----

function parseArgs(argv) {
  const opts = {
    quick: false,
    only: new Set(ALL_MEASURES),
    items: undefined,
    seed: 'auto',
    dist: process.env['PINAX_BENCH_DIST'] ?? path.join(ROOT, 'dist'),
    out: undefined,
    quietWait: undefined,
    keepProfiles: false,
    verbose: false,
    searchSteps: new Set(SEARCH_STEPS),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--quick':
        opts.quick = true;
        break;
      case '--only': {
        const list = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const m of list) if (!ALL_MEASURES.includes(m)) throw new Error(`unknown measure ${m}`);
        opts.only = new Set(list);
        break;
      }
      case '--search-steps': {
        const list = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const step of list)
          if (!SEARCH_STEPS.includes(step)) throw new Error(`unknown search step ${step}`);
        opts.searchSteps = new Set(list);
        break;
      }
      case '--items':
        opts.items = Number(value());
        break;
      case '--seed':
        opts.seed = value();
        if (!['auto', 'batch', 'single'].includes(opts.seed))
          throw new Error('--seed is auto, batch or single');
        break;
      case '--dist':
        opts.dist = path.resolve(value());
        break;
      case '--out':
        opts.out = path.resolve(value());
        break;
      case '--quiet-wait':
        opts.quietWait = Number(value());
        break;
      case '--keep-profiles':
        opts.keepProfiles = true;
        break;
      case '--verbose':
        opts.verbose = true;
        break;
      case '--help':
        process.stdout.write(
          `${fs
            .readFileSync(fileURLToPath(import.meta.url), 'utf8')
            .split('\n')
            .filter(
              (line, i, all) => line.startsWith('//') && all.slice(0, i).every((l) => l.startsWith('//')),
            )
            .map((line) => line.replace(/^\/\/ ?/, ''))
            .join('\n')}\n`,
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg} (try --help)`);
    }
  }
  const q = opts.quick;
  opts.items ??= q ? 1000 : 10_000;
  opts.quietWait ??= q ? 0 : 60;
  opts.out ??= q ? path.join(os.tmpdir(), 'pinax-bench-results') : path.join(BENCH_DIR, 'results');
  opts.smallItems = q ? 10 : 20;
  opts.tabEdits = q ? 30 : 200;
  opts.commitEdits = q ? 40 : 200;
  opts.coldRuns = q ? 2 : 5;
  opts.freshRuns = q ? 1 : 3;
  opts.mediumItems = 1000;
  opts.deviceSmallItems = 20;
  opts.deviceEdits = q ? 40 : 200;
  opts.micro = q ? { items: 1000, edits: 50, rounds: 1 } : { items: opts.items, edits: 200, rounds: 3 };
  opts.search = {
    engineQueries: q ? 50 : 200,
    keystrokes: q ? 60 : 200,
    coldRuns: q ? 2 : 5,
    importRuns: q ? 1 : 3,
    microItems: q ? [20_000] : [10_000, 100_000],
    coldQuery: 'meadow',
  };
  return opts;
}

// ---- helpers ----

const log = (...args) => console.info(...args);

function loadavg() {
  return os.loadavg().map((v) => round(v, 2));
}

/** Waits (up to maxSeconds) for the 1-minute load average to drop below the core count. */
async function quietGate(maxSeconds) {
  const cores = os.cpus().length;
  const started = Date.now();
  const before = loadavg();
  while (maxSeconds > 0 && os.loadavg()[0] >= cores && Date.now() - started < maxSeconds * 1000)
    await sleep(2000);
  return { loadavgBefore: before, loadavgAtStart: loadavg(), waitedMs: Date.now() - started };
}

function withTimeout(promise, ms, label) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function machineInfo() {
  const cpus = os.cpus();
  const git = async (...args) =>
    (await execFile('git', args, { cwd: ROOT }).catch(() => ({ stdout: '' }))).stdout.trim();
  let playwright = 'unknown';
  try {
    const pkg = path.join(ROOT, 'node_modules', '@playwright', 'test', 'package.json');
    playwright = JSON.parse(fs.readFileSync(pkg, 'utf8')).version;
  } catch {
    // keep unknown
  }
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.map((c) => ({ model: c.model, speedMHz: c.speed })),
    cpuCount: cpus.length,
    totalMemBytes: os.totalmem(),
    node: process.version,
    chromium: chromiumVersion(),
    ...(process.env['PINAX_BENCH_CHROMIUM_ARGS']
      ? { extraChromiumArgs: process.env['PINAX_BENCH_CHROMIUM_ARGS'] }
      : {}),
    playwright,
    git: {
      commit: await git('rev-parse', 'HEAD'),
      dirtyFiles: (await git('status', '--porcelain')).split('\n').filter(Boolean).length,
    },
    loadavgAtStart: loadavg(),
  };
}

async function runMicro(params) {
  const script = path.join(BENCH_DIR, 'measures', 'automerge-micro.mjs');
  const args = [
    script,
    '--json',
    '--items',
    String(params.items),
    '--edits',
    String(params.edits),
    '--rounds',
    String(params.rounds),
  ];
  const { stdout } = await execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** The relay as a restartable resource on a fixed port (the app's origin, and so its storage,
 * depends on the port). */
async function startRelayControl(spawnRelay, opts) {
  const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pinax-bench-relay-'));
  let proc = await spawnRelay({ dataDir, staticDir: opts.dist, echo: opts.verbose });
  const port = proc.port;
  return {
    url: proc.url,
    port,
    dataDir,
    async stop() {
      if (!proc) return;
      const p = proc;
      proc = null;
      await p.stop();
    },
    async start() {
      if (proc) return;
      proc = await spawnRelay({ dataDir, port, staticDir: opts.dist, echo: opts.verbose });
    },
    async dispose() {
      await this.stop().catch(() => undefined);
      await fs.promises.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

// ---- the suite ----

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const results = {
    schema: 1,
    suite: 'foundation',
    startedAt: startedAt.toISOString(),
    quick: opts.quick,
    config: {
      items: opts.items,
      seed: opts.seed,
      smallItems: opts.smallItems,
      tabEdits: opts.tabEdits,
      commitEdits: opts.commitEdits,
      coldRuns: opts.coldRuns,
      freshRuns: opts.freshRuns,
      mediumItems: opts.mediumItems,
      deviceSmallItems: opts.deviceSmallItems,
      deviceEdits: opts.deviceEdits,
      micro: opts.micro,
      search: opts.search,
      dist: path.relative(ROOT, opts.dist) || '.',
      measures: [...opts.only],
    },
    machine: await machineInfo(),
    measures: {},
    errors: [],
    consoleProblems: [],
  };
  const want = (m) => opts.only.has(m);
  const record = (key, value) => {
    results.measures[key] = value;
  };
  const fail = (key, error) => {
    log(`!! ${key}: ${error?.stack ?? error}`);
    results.errors.push({
      measure: key,
      error: String(error?.message ?? error)
        .split('\nBrowser logs:')[0]
        .slice(0, 3000),
    });
  };

  if (!fs.existsSync(path.join(opts.dist, 'index.html')))
    throw new Error(`${opts.dist}/index.html is missing: run npm run build (or pass --dist)`);

  // 5. Bundle sizes: static analysis of the build, no browser.
  if (want('bundle')) {
    log('== bundle: tab initial JS (gzip -9) ==');
    try {
      record('bundle', measureBundle(opts.dist));
    } catch (error) {
      fail('bundle', error);
    }
  }

  // 2b. Automerge micro-benchmark in a child Node process, before any browser competes for CPU.
  if (want('micro')) {
    log(`== micro: Automerge change on a ${opts.micro.items}-item replica document (Node) ==`);
    try {
      const gate = await quietGate(opts.quietWait);
      const micro = await withTimeout(runMicro(opts.micro), 10 * 60_000, 'micro');
      record('automergeMicro', { ...micro, load: { ...gate, loadavgAfter: loadavg() } });
    } catch (error) {
      fail('micro', error);
    }
  }

  // S2. The search index alone in Node (child processes), also before any browser.
  if (want('search') && opts.searchSteps.has('micro')) {
    for (const items of opts.search.microItems) {
      log(`== search micro: SearchIndex in Node, ${items} items ==`);
      try {
        const gate = await quietGate(opts.quietWait);
        const micro = await withTimeout(runSearchMicroChild({ items }), 15 * 60_000, `search micro ${items}`);
        results.measures.searchMicro ??= {};
        results.measures.searchMicro[items] = { ...micro, load: { ...gate, loadavgAfter: loadavg() } };
        log(
          `  p50 ${fmtMs(micro.searchMs.p50)} p95 ${fmtMs(micro.searchMs.p95)} (build ${fmtMs(micro.build.ms)})`,
        );
      } catch (error) {
        fail(`search micro ${items}`, error);
      }
    }
  }

  // 5. Identity and access control: relay handshakes, signature checks, the access guard's cost
  // (Node and a relay child process, before any browser).
  if (want('identity')) {
    log('== identity: handshake, signature verification, access guard on vs off ==');
    try {
      const gate = await quietGate(opts.quietWait);
      const identity = await withTimeout(
        measureIdentity({ quick: opts.quick, log }),
        15 * 60_000,
        'identity',
      );
      record('identity', { ...identity, load: { ...gate, loadavgAfter: loadavg() } });
    } catch (error) {
      fail('identity', error);
    }
  }

  const browserMeasures = ['tabs', 'commit', 'cold', 'fresh', 'search', 'devices'].filter(want);
  if (browserMeasures.length > 0) await runBrowserMeasures(opts, results, record, fail);

  // 8. The same items through other designs, in this run (after ours, with our browsers closed):
  // one document per item (stock automerge-repo), the Yjs stack, and the no-CRDT floor.
  if (want('compare')) {
    log(`== compare: ${opts.items} items through other designs (about 10 minutes at 10k) ==`);
    try {
      const gate = await quietGate(opts.quietWait);
      const compare = await withTimeout(
        measureComparisons({ items: opts.items, runs: opts.quick ? 1 : 3, log }),
        45 * 60_000,
        'compare',
      );
      record('compare', { ...compare, load: { ...gate, loadavgAfter: loadavg() } });
    } catch (error) {
      fail('compare', error);
    }
  }

  results.finishedAt = new Date().toISOString();
  results.machine.loadavgAtEnd = loadavg();
  const rows = table(results, opts);
  results.table = rows;
  printTable(rows);
  await writeResults(results, opts);
  if (results.errors.length > 0) {
    log(`${results.errors.length} measure(s) failed; see "errors" in the results`);
    process.exitCode = 1;
  }
}

// Order matters. Seeding, then everything that only LOADS the large collection (sync to the relay,
// cold starts, fresh profiles), then everything that EDITS it (commit, tab-to-tab), with one page
// kept open throughout so the engine never restarts, and last a reopen check. Reason: with
// @automerge/automerge 3.5.0 a large collection stops loading after a few hundred edits (see
// bench/repro/automerge-load-panic.mjs); the reopen check reports it instead of it silently
// breaking the load-dependent measures.
async function runBrowserMeasures(opts, results, record, fail) {
  const spawnRelayPath = path.join(ROOT, 'build', 'server', 'server', 'testing', 'spawn-relay.js');
  if (!fs.existsSync(spawnRelayPath))
    throw new Error(`${spawnRelayPath} is missing: run npm run build (or npm run build:server)`);
  const { spawnRelay } = await import(pathToFileURL(spawnRelayPath).href);
  const want = (m) => opts.only.has(m);
  const countKey = `count:${opts.items} items`;
  let relay;
  try {
    relay = await startRelayControl(spawnRelay, opts);
    log(`relay at ${relay.url} serving ${opts.dist}`);
    const deviceA = await launchDevice('a');
    deviceA.context.on('console', (msg) => {
      if (['error', 'warning'].includes(msg.type()) && results.consoleProblems.length < 200)
        results.consoleProblems.push({ device: 'a', type: msg.type(), text: msg.text().slice(0, 500) });
    });
    const home = await openApp(deviceA, relay.url, '#/');
    await waitForServiceWorker(home);
    const seedMode =
      opts.seed === 'auto' ? ((await supportsBatch(home, 'probe')) ? 'batch' : 'single') : opts.seed;

    // 1. Tab-to-tab on a small collection.
    if (want('tabs')) {
      log(`== tabs: tab-to-tab latency, ${opts.smallItems}-item collection ==`);
      try {
        const gate = await quietGate(opts.quietWait);
        const small = await seedCollection(home, {
          name: 'Latency small',
          count: opts.smallItems,
          mode: seedMode,
        });
        const out = await withTimeout(
          tabToTab(deviceA, relay.url, small.collectionId, opts.smallItems, opts, ['keyboard', 'command']),
          15 * 60_000,
          'tabs (small)',
        );
        record('tabToTabSmall', {
          collectionItems: opts.smallItems,
          ...out,
          load: { ...gate, loadavgAfter: loadavg() },
        });
      } catch (error) {
        fail('tabs (small)', error);
      }
    }

    // Seed the large collection.
    log(
      `== seeding: ${opts.items} items (${seedMode === 'batch' ? 'addItems batches' : 'one addItem each'}) ==`,
    );
    const seedGate = await quietGate(opts.quietWait);
    let big;
    try {
      big = await withTimeout(
        seedCollection(home, { name: 'Bench large', count: opts.items, mode: seedMode, log }),
        40 * 60_000,
        'seeding',
      );
      record('seeding', { ...big.stats, load: { ...seedGate, loadavgAfter: loadavg() } });
    } catch (error) {
      fail('seeding', error);
      return;
    }

    // Device A must have everything at the relay before the cold and fresh measures. "Synced" is
    // only meaningful once the collection is loaded (the status counts loaded documents only).
    try {
      const page = await openApp(deviceA, relay.url, `#/c/${big.collectionId}`);
      await waitForMarks(page, [countKey], { timeout: 120_000 });
      const started = Date.now();
      await waitForSyncStatus(page, 'Synced', 600_000);
      results.measures.seeding.syncedToRelayAfterMs = Date.now() - started;
      log(`device A synced with the relay (${((Date.now() - started) / 1000).toFixed(1)} s after seeding)`);
      await page.close();
    } catch (error) {
      fail('sync device A', error);
    }

    // 3. Cold reload (loads only).
    if (want('cold')) {
      log('== cold: reload with the large collection stored ==');
      try {
        const gate = await quietGate(opts.quietWait);
        const homeRuns = await withTimeout(
          measureColdHome(deviceA, relay.url, { name: 'Bench large', runs: opts.coldRuns, log }),
          10 * 60_000,
          'cold home',
        );
        const collectionRuns = await withTimeout(
          measureColdCollection(deviceA, relay.url, {
            collectionId: big.collectionId,
            count: opts.items,
            runs: opts.coldRuns,
            log,
          }),
          10 * 60_000,
          'cold collection',
        );
        record('coldReload', {
          collectionItems: opts.items,
          home: homeRuns,
          collection: collectionRuns,
          load: { ...gate, loadavgAfter: loadavg() },
        });
      } catch (error) {
        fail('cold', error);
      }
    }

    // 4. Fresh profile through the relay (loads only, on device A): the large collection, then a
    // 1,000-item one seeded here the same way and deleted again afterwards, so the measures after
    // this one (search, edits) see device A as before.
    if (want('fresh')) {
      log('== fresh: new profile opens the large collection through the relay ==');
      try {
        const gate = await quietGate(opts.quietWait);
        await killEngine(deviceA);
        const rewarm = makeRewarm({
          baseUrl: relay.url,
          openApp,
          collectionId: big.collectionId,
          count: opts.items,
        });
        const out = await withTimeout(
          measureFreshSync({
            relay,
            deviceA,
            rewarm,
            collectionId: big.collectionId,
            count: opts.items,
            runs: opts.freshRuns,
            distDir: opts.dist,
            log,
          }),
          30 * 60_000,
          'fresh',
        );
        record('freshSync', {
          collectionItems: opts.items,
          ...out,
          load: { ...gate, loadavgAfter: loadavg() },
        });
        if (out.searchTimeouts > 0)
          fail('fresh (searchable)', new Error(`${out.searchTimeouts} run(s) never became fully searchable`));
      } catch (error) {
        fail('fresh', error);
      }

      log(`== fresh: new profile opens a ${opts.mediumItems}-item collection through the relay ==`);
      let medium;
      try {
        const gate = await quietGate(opts.quietWait);
        const page = await openApp(deviceA, relay.url, '#/');
        medium = await seedCollection(page, {
          name: 'Bench medium',
          count: opts.mediumItems,
          mode: seedMode,
          log,
        });
        await killEngine(deviceA);
        const rewarm = makeRewarm({
          baseUrl: relay.url,
          openApp,
          collectionId: medium.collectionId,
          count: opts.mediumItems,
        });
        const out = await withTimeout(
          measureFreshSync({
            relay,
            deviceA,
            rewarm,
            collectionId: medium.collectionId,
            count: opts.mediumItems,
            runs: opts.freshRuns,
            label: 'fresh-medium',
            log,
          }),
          15 * 60_000,
          'fresh (medium)',
        );
        record('freshSyncMedium', {
          collectionItems: opts.mediumItems,
          seeding: medium.stats,
          ...out,
          load: { ...gate, loadavgAfter: loadavg() },
        });
        if (out.searchTimeouts > 0)
          fail(
            'fresh (medium, searchable)',
            new Error(`${out.searchTimeouts} run(s) never became fully searchable`),
          );
      } catch (error) {
        fail('fresh (medium)', error);
      } finally {
        if (medium) {
          try {
            const page = await openApp(deviceA, relay.url, '#/');
            await command(page, { type: 'deleteCollection', collectionId: medium.collectionId });
            await waitForSyncStatus(page, 'Synced', 120_000);
            await killEngine(deviceA);
          } catch (error) {
            fail('fresh (medium, delete)', error);
          }
        }
      }
    }

    // 6. Search and import: they load the large collection and never edit it (imports go into new
    // collections that are deleted again), so they run before the editing measures.
    if (want('search')) {
      log(`== search: search, cold start to a result, import, memory (${opts.items} items) ==`);
      record('search', await searchInBrowser(deviceA, relay, big, opts, fail));
    }

    // From here on the large collection is edited: keep one page open so the engine stays up.
    if (!want('commit') && !want('tabs') && !want('devices')) return;
    await killEngine(deviceA);
    const anchor = await openApp(deviceA, relay.url, '#/');
    await anchor.evaluate(() => window.__bench.stopMarks());

    // 2. Commit time: with the collection's list open in the tab (as when a person edits), with no
    // list subscription (engine path only), and with the relay stopped.
    if (want('commit')) {
      log(`== commit: updateItem -> ack in a ${opts.items}-item collection ==`);
      try {
        const gate = await quietGate(opts.quietWait);
        const listPage = await openApp(deviceA, relay.url, `#/c/${big.collectionId}`);
        await waitForMarks(listPage, [countKey], { timeout: 120_000 });
        await listPage.evaluate(() => window.__bench.stopMarks());
        const run = (page, label) =>
          withTimeout(
            measureCommit(page, {
              context: deviceA.context,
              collectionId: big.collectionId,
              ids: big.ids,
              edits: opts.commitEdits,
              label,
              log,
            }),
            10 * 60_000,
            `commit (${label})`,
          );
        const listOpen = await run(listPage, 'list-open');
        // Profiles in the steady state (relay connected and in sync), on the same list page.
        log('  CPU profiles of the engine and the tab during edits (not timed)');
        let profile = null;
        try {
          profile = await withTimeout(
            profileCommit(deviceA.context, listPage, {
              collectionId: big.collectionId,
              ids: big.ids,
              edits: opts.quick ? 40 : 100,
              distDir: opts.dist,
            }),
            5 * 60_000,
            'commit profile',
          );
        } catch (error) {
          fail('commit profile', error);
        }
        await listPage.close();
        const noList = await run(anchor, 'no-list');
        await relay.stop();
        let relayStopped;
        try {
          await sleep(500);
          relayStopped = await run(anchor, 'no-list-relay-stopped');
        } finally {
          await relay.start();
        }
        // On reconnect the engine re-sends the whole document to the restarted relay (~3 MB for
        // 10,000 items): let that finish before anything else is timed.
        await waitForSyncStatus(anchor, 'Synced', 300_000).catch((error) =>
          fail('resync after relay restart', error),
        );
        const idbFloor = await withTimeout(
          measureIdbFloor(anchor, { writes: opts.quick ? 40 : 200 }),
          5 * 60_000,
          'IndexedDB floor',
        );
        record('commit', {
          collectionItems: opts.items,
          listOpen,
          noList,
          relayStopped,
          indexedDbFloor: idbFloor,
          profile,
          load: { ...gate, loadavgAfter: loadavg() },
        });
      } catch (error) {
        fail('commit', error);
      }
    }

    // 1b. Tab-to-tab with the large collection in both tabs.
    if (want('tabs')) {
      log(`== tabs: tab-to-tab latency, ${opts.items}-item collection ==`);
      try {
        const gate = await quietGate(opts.quietWait);
        const out = await withTimeout(
          tabToTab(deviceA, relay.url, big.collectionId, opts.items, opts, ['keyboard']),
          15 * 60_000,
          'tabs (large)',
        );
        record('tabToTabLarge', {
          collectionItems: opts.items,
          ...out,
          load: { ...gate, loadavgAfter: loadavg() },
        });
      } catch (error) {
        fail('tabs (large)', error);
      }
    }

    // 7. A -> B through the relay: a small collection created here, then the large one (edited).
    if (want('devices')) {
      log(`== devices: edit on device A -> device B's list, through the relay ==`);
      try {
        const gate = await quietGate(opts.quietWait);
        const out = await withTimeout(
          measureCrossDevice({
            deviceA,
            seedPage: anchor,
            baseUrl: relay.url,
            smallItems: opts.deviceSmallItems,
            seedMode,
            large: { collectionId: big.collectionId, count: opts.items },
            edits: opts.deviceEdits,
            onConsole: ({ type, text }) => {
              if (results.consoleProblems.length < 200)
                results.consoleProblems.push({ device: 'devices-b', type, text: text.slice(0, 500) });
            },
            onError: fail,
            log,
          }),
          30 * 60_000,
          'devices',
        );
        record('crossDevice', { ...out, load: { ...gate, loadavgAfter: loadavg() } });
      } catch (error) {
        fail('devices', error);
      }
    }

    // Check: after all those edits, does the large collection still open after a restart?
    log('== check: reopen the edited large collection after an engine restart ==');
    const reopen = { editsSinceSeeding: 0 };
    reopen.editsSinceSeeding =
      (want('commit') ? 3 * opts.commitEdits + (opts.quick ? 40 : 100) : 0) +
      (want('tabs') ? opts.tabEdits + 1 : 0) +
      (want('devices') ? opts.deviceEdits + 1 : 0);
    try {
      await killEngine(deviceA);
      const page = await openApp(deviceA, relay.url, `#/c/${big.collectionId}`);
      const marks = await waitForMarks(page, [countKey], { timeout: 60_000 });
      reopen.ok = true;
      reopen.shownMs = marks[countKey];
    } catch (error) {
      reopen.ok = false;
      reopen.error = String(error.message ?? error).slice(0, 1500);
      fail('reopen after edits', error);
    }
    record('reopenAfterEdits', reopen);
  } finally {
    try {
      const kept = await closeAllDevices({ keepProfiles: opts.keepProfiles });
      if (kept.length > 0) log(`profiles kept: ${kept.join(', ')}`);
    } finally {
      await relay?.dispose();
    }
  }
}

/** The browser part of the search measure; each step fails on its own. */
async function searchInBrowser(deviceA, relay, big, opts, fail) {
  const so = opts.search;
  const out = { collectionItems: opts.items, load: {} };
  const step = async (key, label, minutes, fn, { gate = true } = {}) => {
    if (!opts.searchSteps.has(key)) return;
    try {
      const g = gate ? await quietGate(opts.quietWait) : { loadavgAtStart: loadavg() };
      out[key] = await withTimeout(fn(), minutes * 60_000, label);
      out.load[key] = { ...g, loadavgAfter: loadavg() };
    } catch (error) {
      fail(label, error);
    }
  };
  // S1 + S3 on one page: the collection loaded once (read models tracked), then the home route.
  if (opts.searchSteps.has('engine') || opts.searchSteps.has('keystroke')) await searchPage();
  await step(
    'memory',
    'search memory',
    5,
    () =>
      measureEngineMemory(deviceA, relay.url, {
        name: 'Bench large',
        collectionId: big.collectionId,
        count: opts.items,
        query: so.coldQuery,
        log,
      }),
    { gate: false },
  );
  await step('cold', 'search cold start', 20, () =>
    measureColdSearch(deviceA, relay.url, {
      collectionId: big.collectionId,
      query: so.coldQuery,
      runs: so.coldRuns,
      log,
    }),
  );
  await step('import', 'search import', 15, () =>
    measureImport(deviceA, relay.url, { count: opts.items, runs: so.importRuns, log }),
  );
  return out;

  async function searchPage() {
    let page;
    try {
      page = await openApp(deviceA, relay.url, `#/c/${big.collectionId}`);
      await waitForMarks(page, [`count:${opts.items} items`], { timeout: 120_000 });
      await page.evaluate(() => (location.hash = '#/'));
      await page.evaluate(() => window.__bench.stopMarks());
      await step('engine', 'search engine', 10, () => {
        log(`  engine: ${so.engineQueries} queries, fresh subscription each`);
        return measureEngineSearch(page, {
          queries: makeQueries(so.engineQueries + 20, { items: opts.items }),
          warmup: 20,
          log,
        });
      });
      await step(
        'keystroke',
        'search keystroke',
        10,
        () => {
          log(`  keystroke: >= ${so.keystrokes} keys typed into the search box`);
          return measureSearchKeystrokes(page, { keystrokes: so.keystrokes, items: opts.items, log });
        },
        { gate: false },
      );
    } catch (error) {
      fail('search page', error);
    } finally {
      await page?.close().catch(() => undefined);
    }
  }
}

async function tabToTab(device, baseUrl, collectionId, count, opts, modes) {
  const pair = await openPair(device, baseUrl, collectionId, count);
  const engine = await attachEngineSession(device.context, pair.pageA);
  try {
    const skew = await clockSkew(pair.pageA, pair.pageB);
    const out = { clock: skew, visibility: pair.visibility };
    for (const mode of modes) {
      log(`  ${mode}: ${opts.tabEdits} edits`);
      out[mode] = await measureTabToTab({
        ...pair,
        collectionId,
        edits: opts.tabEdits,
        mode,
        engine,
        log,
      });
    }
    return out;
  } finally {
    await engine.detach();
    await pair.pageA.close().catch(() => undefined);
    await pair.pageB.close().catch(() => undefined);
  }
}

// ---- output ----

function table(results, opts) {
  const m = results.measures;
  const rows = [];
  // One row builder; the goal is judged on p95 for latencies and on the median for start-up/sync.
  const row =
    (stat, label) =>
    (name, goal, s, extra = '') =>
      rows.push({
        measure: name,
        goal: goal === null ? '' : `<= ${fmtMs(goal)}`,
        p50: fmtMs(s?.p50),
        p95: fmtMs(s?.p95),
        max: fmtMs(s?.max),
        n: s?.n ?? 0,
        verdict:
          goal === null || !s?.n ? '' : (s[stat] ?? Infinity) <= goal ? `PASS (${label})` : `FAIL (${label})`,
        note: extra,
      });
  const ms = row('p95', 'p95');
  const median = row('p50', 'median');
  for (const [key, label] of [
    ['tabToTabSmall', `${opts.smallItems} items`],
    ['tabToTabLarge', `${opts.items} items`],
  ]) {
    const t = m[key];
    if (!t) continue;
    if (t.keyboard) {
      ms(
        `1 tab->tab, keystroke, ${label} (DOM)`,
        16,
        t.keyboard.latencyMs,
        `timeouts ${t.keyboard.timeouts}`,
      );
      ms(`1 tab->tab, keystroke, ${label} (next frame)`, null, t.keyboard.toFrameMs);
    }
    if (t.command) ms(`1 tab->tab, command, ${label} (DOM)`, 16, t.command.latencyMs);
  }
  if (m.seeding)
    rows.push({
      measure:
        m.seeding.mode === 'batch'
          ? `  seeding ${m.seeding.items} items (addItems x${m.seeding.batchSize}, per command)`
          : `  seeding ${m.seeding.items} items (addItem x${m.seeding.concurrency} parallel)`,
      goal: '',
      p50: fmtMs(m.seeding.commandLatencyMs.p50),
      p95: fmtMs(m.seeding.commandLatencyMs.p95),
      max: fmtMs(m.seeding.commandLatencyMs.max),
      n: m.seeding.items,
      verdict: '',
      note: `total ${fmtMs(m.seeding.ms)}, ${m.seeding.itemsPerSecond.toFixed(0)} items/s`,
    });
  if (m.commit) {
    ms(`2 commit in engine, ${opts.items} items, list open, relay on`, 2, m.commit.listOpen?.commitMs);
    ms(`2 commit in engine, ${opts.items} items, no list, relay on`, 2, m.commit.noList?.commitMs);
    ms(`2 commit in engine, ${opts.items} items, no list, relay off`, 2, m.commit.relayStopped?.commitMs);
    if (m.commit.listOpen?.changeMs)
      ms(`  of which DocHandle.change, list open`, null, m.commit.listOpen.changeMs);
    ms(`  durable ack (IndexedDB flushed), list open`, null, m.commit.listOpen?.ackMs);
    ms(`  durable ack, no list, relay on`, null, m.commit.noList?.ackMs);
    ms(`  durable ack, no list, relay off`, null, m.commit.relayStopped?.ackMs);
    for (const [key, label] of [
      ['engine', 'engine CPU per edit (profiled, list open)'],
      ['tab', 'tab main-thread CPU per edit (profiled)'],
    ]) {
      const prof = m.commit.profile?.[key];
      if (!prof) continue;
      const top = Object.entries(prof.categoriesMsPerUnit)
        .slice(0, 3)
        .map(([k, v]) => `${k} ${fmtMs(v)}`)
        .join(', ');
      rows.push({
        measure: `  ${label}`,
        goal: '',
        p50: fmtMs(prof.busyMsPerUnit),
        p95: '',
        max: '',
        n: prof.units,
        verdict: '',
        note: top,
      });
    }
  }
  if (m.commit?.indexedDbFloor)
    ms('  IndexedDB put floor (1 tx, default durability)', null, m.commit.indexedDbFloor.default?.ms);
  if (m.automergeMicro) {
    const p = m.automergeMicro.perEdit;
    ms(
      `2b Automerge change only (Node, ${m.automergeMicro.items} items)`,
      2,
      p.changeMs,
      `change+diff+saveSince p95 per round of ${m.automergeMicro.edits}: ${m.automergeMicro.perRoundTotalMs
        .map((r) => fmtMs(r.p95))
        .join(' / ')}`,
    );
    ms('2b change+diff+saveSince (Node)', null, p.totalMs, `CPU p95 ${fmtMs(p.totalCpuMs.p95)}`);
    const after = m.automergeMicro.afterLoad;
    if (after) {
      ms('2b first edits after a load (Node)', null, after.plainChangeMs, 'side by side with the next row');
      ms(
        '2b same, value column split (Node)',
        2,
        after.splitChangeMs,
        `split took ${fmtMs(after.splitMs)}; wasm memory +${after.externalMemoryGrowthMb.toFixed(0)} MB over both`,
      );
    }
  }
  if (m.coldReload) {
    median('3 cold reload -> collection in sidebar', 500, m.coldReload.home.sidebarLinkMs);
    median(`3b cold open of the ${opts.items}-item collection`, null, m.coldReload.collection.countShownMs);
  }
  // Goals for "fully searchable" on a fresh profile: 10,000 items <= 5 s, 1,000 items <= 1 s.
  const searchableGoal = (items) => (items >= 10_000 ? 5000 : items <= 1000 ? 1000 : null);
  if (m.freshSync) {
    median(`4 fresh profile: all ${opts.items} items stored`, 2500, m.freshSync.storedMs);
    median(
      `4 fresh profile: all ${opts.items} items shown`,
      2500,
      m.freshSync.shownMs,
      `offline reload shows all: ${m.freshSync.offlineReloadAllShown}`,
    );
    median(
      `4 fresh profile: all ${opts.items} items searchable`,
      searchableGoal(opts.items),
      m.freshSync.searchableMs,
      `"${m.freshSync.search?.query}", subscribed p50 ${fmtMs(m.freshSync.searchSubscribedMs?.p50)}; timeouts ${m.freshSync.searchTimeouts}`,
    );
  }
  if (m.freshSyncMedium) {
    const f = m.freshSyncMedium;
    median(`4 fresh profile, 2nd collection: all ${f.collectionItems} items stored`, null, f.storedMs);
    median(
      `4 fresh profile, 2nd collection: all ${f.collectionItems} items shown`,
      null,
      f.shownMs,
      `offline reload shows all: ${f.offlineReloadAllShown}`,
    );
    median(
      `4 fresh profile, 2nd collection: all ${f.collectionItems} items searchable`,
      searchableGoal(f.collectionItems),
      f.searchableMs,
      `"${f.search?.query}", subscribed p50 ${fmtMs(f.searchSubscribedMs?.p50)}; timeouts ${f.searchTimeouts}`,
    );
  }
  for (const [key, label] of [
    ['engine', 'fresh: B engine CPU (profiled run)'],
    ['tab', 'fresh: B tab main-thread CPU (profiled run)'],
  ]) {
    const prof = m.freshSync?.profile?.[key];
    if (!prof) continue;
    rows.push({
      measure: `  ${label}`,
      goal: '',
      p50: fmtMs(prof.busyMs),
      p95: '',
      max: '',
      n: 1,
      verdict: '',
      note: Object.entries(prof.categoriesMsPerUnit)
        .slice(0, 3)
        .map(([k, v]) => `${k} ${fmtMs(v)}`)
        .join(', '),
    });
  }
  const sr = m.search;
  if (sr?.engine)
    ms(
      `S1 search in engine (tookMs), ${opts.items} items`,
      5,
      sr.engine.tookMs,
      `round trip p95 ${fmtMs(sr.engine.roundTripMs.p95)}, ${sr.engine.matchesPerQuery.p50} matches/query`,
    );
  for (const [items, micro] of Object.entries(m.searchMicro ?? {}))
    ms(
      `S2 search index only (Node), ${items} items`,
      Number(items) >= 100_000 ? 50 : Number(items) <= 10_000 ? 5 : null,
      micro.searchMs,
      `CPU p95 ${fmtMs(micro.searchCpuMs.p95)}, build ${fmtMs(micro.build.ms)}, heap ${fmtBytes(micro.build.heapUsedBytes)}` +
        (micro.build.arrayBuffersBytes !== undefined
          ? ` + buffers ${fmtBytes(micro.build.arrayBuffersBytes)}`
          : ''),
    );
  if (sr?.keystroke) {
    const k = sr.keystroke;
    ms(
      `S3 keystroke -> search results rendered, ${opts.items} items`,
      16,
      k.latencyMs,
      `${k.fromKnown} of ${k.timed} shown from answers worked out ahead; engine p50 ${fmtMs(k.breakdown.engineTookMs.p50)}, render p50 ${fmtMs(k.breakdown.renderMs.p50)}; superseded ${k.superseded}`,
    );
    ms('  keystroke -> next frame', null, k.toFrameMs);
  }
  if (sr?.cold) {
    const c = sr.cold;
    median(
      `S4 cold start -> first search result (index stored)`,
      800,
      c.persisted.firstResultMs,
      `"${c.query}"`,
    );
    median(
      `S5 cold start -> first search result (index rebuilt)`,
      null,
      c.rebuilt.firstResultMs,
      `x${c.ratio.firstResult?.toFixed(2)} of stored`,
    );
    median(
      `S5 cold start -> rebuild done in engine (index rebuilt)`,
      null,
      c.rebuilt.engineDoneMs,
      `readModelProgress back at 0; Indexing bar gone p50 ${fmtMs(c.rebuilt.indexingGoneMs.p50)}`,
    );
    median(
      `S5 cold start -> all results shown (index rebuilt)`,
      null,
      c.rebuilt.rebuiltMs,
      `x${c.ratio.rebuilt?.toFixed(2)} of stored first result; "${c.fullStatus}"`,
    );
  }
  if (sr?.import) {
    median(
      `S6 import ${sr.import.items} JSON items -> all searchable`,
      5000,
      sr.import.searchableMs,
      `"Imported" shown p50 ${fmtMs(sr.import.importedShownMs.p50)}; from the change event p50 ${fmtMs(sr.import.searchableFromChangeMs?.p50)}; file ${fmtBytes(sr.import.fileBytes)}; relay CPU p50 ${fmtMs(sr.import.relayCpuMs?.p50)}`,
    );
  }
  if (sr?.memory) {
    for (const [key, label] of [
      ['atStart', 'engine heap after GC, just started (list only)'],
      ['loaded', `engine heap after GC, ${opts.items} items loaded + searched`],
    ]) {
      const h = sr.memory[key];
      rows.push({
        measure: `S7 ${label}`,
        goal: '',
        p50: fmtBytes(h.usedSize),
        p95: fmtBytes(h.totalSize),
        max: fmtBytes(h.backingStorageSize),
        n: 1,
        verdict: '',
        note: `wasm memory ${fmtBytes(h.wasmMemoryTotalBytes)}; p50 col = JS heap used, p95 = total, max = ArrayBuffer backing`,
      });
    }
  }
  for (const key of ['small', 'large']) {
    const d = m.crossDevice?.[key];
    if (!d) continue;
    const b = d.breakdown;
    ms(
      `7 device A -> B via relay, ${d.collectionItems} items (DOM)`,
      100,
      d.latencyMs,
      `timeouts ${d.timeouts}; p50 A ack ${fmtMs(b.ackMs.p50)}, transit ${fmtMs(b.transitMs.p50)}, B render ${fmtMs(b.tabBRenderMs.p50)}; clock B-A ${d.clock.skewMs.toFixed(2)} +/- ${d.clock.boundMs.toFixed(2)} ms`,
    );
    rows.push({
      measure: `  B opens the ${d.collectionItems}-item collection (new profile, all items shown)`,
      goal: '',
      p50: fmtMs(d.bShownMs),
      p95: '',
      max: '',
      n: 1,
      verdict: '',
      note: 'ms since B navigated, before the edits',
    });
  }
  if (m.compare) {
    const ours = m.freshSync?.storedMs?.p50;
    for (const [key, label, goal] of [
      ['automergePerItem', 'one Automerge document per item, stock adapters', 'ours >= 20x faster'],
      ['yjs', 'Yjs (y-websocket server, y-indexeddb)', 'report'],
      ['floor', 'floor: JSON over a WebSocket + IndexedDB', 'report'],
    ]) {
      const d = m.compare.designs?.[key];
      if (!d) continue;
      // Not finished within its timeout: the timeout is a lower bound of its time, so of the ratio.
      const atLeastMs = d.censored?.afterMs;
      const p50 = d.ms?.p50 ?? atLeastMs;
      const ratio = ours && p50 ? p50 / ours : undefined;
      const times = (r) => (r >= 1 ? `${r.toFixed(1)}x faster` : `${(1 / r).toFixed(1)}x slower`);
      rows.push({
        measure: `4b fresh profile, ${m.compare.items} items stored: ${label}`,
        goal,
        p50: d.error ? 'error' : atLeastMs !== undefined ? `> ${fmtMs(atLeastMs)}` : fmtMs(p50),
        p95: '',
        max: fmtMs(d.ms?.max),
        n: d.ms?.n ?? 0,
        verdict: key === 'automergePerItem' && ratio !== undefined ? (ratio >= 20 ? 'PASS' : 'FAIL') : '',
        note: d.error
          ? String(d.error).slice(0, 80)
          : ratio === undefined
            ? ''
            : atLeastMs !== undefined
              ? `unfinished after ${fmtMs(atLeastMs)} (${d.censored.progress?.ready ?? '?'} of ${m.compare.items} documents ready); ours (stored, p50 ${fmtMs(ours)}) is at least ${times(ratio)}`
              : `ours (stored, p50 ${fmtMs(ours)}) is ${times(ratio)}`,
      });
    }
  }
  if (m.identity) {
    const { handshake, verification, guardOverhead } = m.identity;
    if (handshake?.summary)
      ms(
        '5 handshake, connect -> authenticated (localhost)',
        20,
        handshake.summary.totalMs,
        `p50 challenge ${fmtMs(handshake.summary.challengeMs.p50)}, session ${fmtMs(handshake.summary.sessionMs.p50)}, socket ${fmtMs(handshake.summary.socketOpenMs.p50)}, join ${fmtMs(handshake.summary.joinMs.p50)}`,
      );
    if (verification?.entriesPerSecond)
      rows.push({
        measure: '5 signed access entries verified in the engine',
        goal: 'report',
        p50: `${Math.round(verification.entriesPerSecond)}/s`,
        p95: '',
        max: '',
        n: verification.entries,
        verdict: '',
        note: `verifyStatement ${Math.round(verification.verifyStatementPerSecond)}/s; cached ${Math.round(verification.cachedEntriesPerSecond)} entries/s`,
      });
    if (guardOverhead?.ratio !== undefined)
      rows.push({
        measure: '5 relay sync, access guard on vs off (same run)',
        goal: '<= 10%',
        p50: `${guardOverhead.overheadPercent.toFixed(1)}%`,
        p95: '',
        max: '',
        n: guardOverhead.rounds,
        verdict: guardOverhead.overheadPercent <= 10 ? 'PASS (median)' : 'FAIL (median)',
        note: `guarded ${fmtMs(guardOverhead.guardedMedianMs)} vs ${fmtMs(guardOverhead.unguardedMedianMs)}; raw sync ratio ${guardOverhead.rawSync?.ratio?.toFixed(2) ?? '-'}; in-process ${guardOverhead.inProcess?.extraUsPerMessage?.toFixed(1) ?? '-'} us/message`,
      });
  }
  if (m.reopenAfterEdits)
    rows.push({
      measure: `check: ${opts.items}-item collection reopens after ${m.reopenAfterEdits.editsSinceSeeding} edits`,
      goal: '',
      p50: m.reopenAfterEdits.ok ? fmtMs(m.reopenAfterEdits.shownMs) : '-',
      p95: '',
      max: '',
      n: 1,
      verdict: m.reopenAfterEdits.ok ? 'PASS' : 'FAIL',
      note: m.reopenAfterEdits.ok ? '' : 'Collection unavailable (see bench/repro/automerge-load-panic.mjs)',
    });
  if (m.bundle) {
    const b = m.bundle;
    rows.push({
      measure: '5 tab initial JS, gzip -9 (no engine)',
      goal: '',
      p50: fmtBytes(b.tabInitialJs.gzipBytes),
      p95: '',
      max: '',
      n: b.tabInitialJs.files.length,
      verdict: '',
      note: `raw ${fmtBytes(b.tabInitialJs.bytes)}; css ${fmtBytes(b.tabCss.gzipBytes)} gz`,
    });
    rows.push({
      measure: '5 engine JS / wasm, gzip -9',
      goal: '',
      p50: fmtBytes(b.engineJs.gzipBytes),
      p95: fmtBytes(b.wasm.gzipBytes),
      max: '',
      n: b.engineJs.files.length + b.wasm.files.length,
      verdict: '',
      note: `raw ${fmtBytes(b.engineJs.bytes)} JS, ${fmtBytes(b.wasm.bytes)} wasm (p50 col = JS, p95 col = wasm)`,
    });
  }
  return rows;
}

function printTable(rows) {
  const headers = ['measure', 'goal', 'p50', 'p95', 'max', 'n', 'verdict', 'note'];
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  log('');
  log(line(headers));
  log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) log(line(headers.map((h) => row[h])));
  log('');
}

/** Rounds every number in the results to microseconds and drops nothing. */
function tidy(value) {
  if (Array.isArray(value))
    return value.every((v) => typeof v === 'number') ? roundAll(value) : value.map(tidy);
  if (value && typeof value === 'object') {
    if (['n', 'p50', 'p95', 'max', 'min', 'mean', 'p99'].every((k) => k in value)) return roundSummary(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidy(v)]));
  }
  return typeof value === 'number' ? round(value) : value;
}

async function writeResults(results, opts) {
  await fs.promises.mkdir(opts.out, { recursive: true });
  const date = results.startedAt.slice(0, 10);
  const body = `${JSON.stringify(tidy(results), null, 2)}\n`;
  const name = opts.quick ? `quick-${date}.json` : `foundation-${date}.json`;
  const dated = path.join(opts.out, name);
  await fs.promises.writeFile(dated, body);
  const latest = path.join(opts.out, opts.quick ? 'quick-latest.json' : 'latest.json');
  await fs.promises.writeFile(latest, body);
  log(`results: ${path.relative(process.cwd(), dated)} and ${path.relative(process.cwd(), latest)}`);
}

// ---- process guards ----

let cleaningUp = false;
async function emergencyCleanup(reason) {
  if (cleaningUp) return;
  cleaningUp = true;
  console.error(`bench: ${reason}; closing browsers and relays`);
  await closeAllDevices().catch(() => undefined);
  process.exit(1); // spawn-relay kills its children on exit
}
process.once('SIGINT', () => void emergencyCleanup('interrupted'));
process.once('SIGTERM', () => void emergencyCleanup('terminated'));
const watchdog = setTimeout(
  () => void emergencyCleanup(`watchdog: over ${WATCHDOG_MS / 60_000} min`),
  WATCHDOG_MS,
);
watchdog.unref();

main().catch(async (error) => {
  console.error(error?.stack ?? error);
  await closeAllDevices().catch(() => undefined);
  process.exit(1);
});
