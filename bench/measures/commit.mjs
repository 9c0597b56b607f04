// Measure 2: commit time of a one-item title edit in a large collection, two ways per edit:
//   commit  in the engine, from receiving the command to its Automerge change being applied and the
//           read models updated: the engine's own `pinax:commit` User Timing measure, read from
//           the SharedWorker over CDP (src/worker/metrics.ts);
//   ack     from the tab, sending `updateItem` until its acknowledgement, which the engine sends
//           only after the change is flushed to IndexedDB (repo.flush): the durable commit. Its
//           floor is one IndexedDB transaction (measureIdbFloor).
//
// The page shows the collection (its list subscription is live, as when a person edits), edits go
// to random items one at a time with a random 20-60 ms gap, in rounds of `perRound`.

import { attachEngineProfiler, attachEngineSession, attachPageProfiler } from '../lib/engine-profiler.mjs';
import { summarize } from '../lib/stats.mjs';

export async function measureCommit(
  page,
  { context, collectionId, ids, edits, perRound = 50, label, log = () => undefined },
) {
  const engine = await attachEngineSession(context, page);
  try {
    return await measureCommitRounds(page, engine, { collectionId, ids, edits, perRound, label, log });
  } finally {
    await engine.detach();
  }
}

async function measureCommitRounds(page, engine, { collectionId, ids, edits, perRound, label, log }) {
  const readCommits = () =>
    engine.evaluate(
      `performance.getEntriesByName('pinax:commit').filter((e) => e.detail === 'updateItem').map((e) => e.duration)`,
    );
  // The DocHandle.change part of each commit (engines from before that measure have none).
  const readChanges = () =>
    engine.evaluate(
      `performance.getEntriesByName('pinax:commit:change').filter((e) => e.detail === 'updateItem').map((e) => e.duration)`,
    );
  const clear = () =>
    engine.evaluate(
      `performance.clearMeasures('pinax:commit'); performance.clearMeasures('pinax:commit:change')`,
    );
  await clear();
  const commitSamples = [];
  const changeSamples = [];
  const samples = [];
  const rounds = [];
  let done = 0;
  while (done < edits) {
    const n = Math.min(perRound, edits - done);
    const targets = Array.from({ length: n }, () => ids[Math.floor(Math.random() * ids.length)]);
    const round = await page.evaluate(
      async ({ collectionId, targets, label, offset }) => {
        const client = window.__pinax.client;
        const out = [];
        for (let i = 0; i < targets.length; i++) {
          const title = `Commit probe ${label} ${offset + i} ${Math.random().toString(36).slice(2, 8)}`;
          const t0 = performance.now();
          await client.command({ type: 'updateItem', collectionId, itemId: targets[i], title });
          out.push(performance.now() - t0);
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40));
        }
        return out;
      },
      { collectionId, targets, label, offset: done },
    );
    samples.push(...round);
    rounds.push(summarize(round));
    commitSamples.push(...(await readCommits()));
    changeSamples.push(...(await readChanges()));
    await clear();
    done += n;
    log(`  ${label}: ${done}/${edits} edits`);
  }
  if (commitSamples.length !== samples.length)
    throw new Error(`engine recorded ${commitSamples.length} commits for ${samples.length} edits`);
  return {
    label,
    edits,
    commitMs: summarize(commitSamples),
    ...(changeSamples.length === commitSamples.length ? { changeMs: summarize(changeSamples) } : {}),
    ackMs: summarize(samples),
    perRound: rounds,
    samples,
    commitSamples,
    changeSamples,
  };
}

/**
 * The floor under any durable ack in this profile: one small IndexedDB readwrite transaction per
 * write (a 200-byte record, awaited until `complete`), in a scratch database of the same origin,
 * per durability hint. The engine's flush does at least one such transaction per command.
 */
export async function measureIdbFloor(page, { writes = 200 } = {}) {
  const out = await page.evaluate(async (writes) => {
    const name = 'pinax-bench-scratch';
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore('kv');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const result = {};
    for (const durability of ['default', 'relaxed', 'strict']) {
      const samples = [];
      for (let i = 0; i < writes; i++) {
        const data = crypto.getRandomValues(new Uint8Array(200));
        const t0 = performance.now();
        await new Promise((resolve, reject) => {
          const tx = db.transaction('kv', 'readwrite', { durability });
          tx.objectStore('kv').put(data, ['bench', durability, i]);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        samples.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      result[durability] = samples;
    }
    db.close();
    await new Promise((resolve) => {
      const del = indexedDB.deleteDatabase(name);
      del.onsuccess = del.onerror = del.onblocked = () => resolve();
    });
    return result;
  }, writes);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { ms: summarize(v), samples: v }]));
}

/**
 * Where the time goes during `edits` title edits (same workload as measureCommit), from CPU
 * profiles of the SharedWorker engine and of the tab's main thread (which renders each patch before
 * it can see the ack). Run after the timed measures: profiling adds overhead.
 */
export async function profileCommit(context, page, { collectionId, ids, edits, distDir }) {
  const engine = await attachEngineProfiler(context, page, { distDir });
  const tab = await attachPageProfiler(context, page, { distDir });
  try {
    await engine.start();
    await tab.start();
    const started = Date.now();
    await measureCommit(page, { context, collectionId, ids, edits, perRound: edits, label: 'profiled' });
    const wallMs = Date.now() - started;
    return { engine: await engine.stop(edits), tab: await tab.stop(edits), workloadWallMs: wallMs };
  } finally {
    await tab.detach();
    await engine.detach();
  }
}
