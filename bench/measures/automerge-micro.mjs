// Measure 2b: the pure in-engine cost of a one-item edit, in Node, with @automerge/automerge directly.
//
// The app's domain module (src/worker/domain/collection-doc.ts) is TypeScript and this suite is plain
// .mjs, so the document shape is REPLICATED here rather than imported. Keep it in step with
// collection-doc.ts: 256 buckets named 00..ff, bucket = FNV-1a(itemId) % 256, item records
// { title, body: ImmutableString, tags: { tag: true }, createdAt, updatedAt }, and
// collection fields kind/schema/name/description/createdAt/updatedAt. Items are added one change
// each, as the app's addItem command (and the browser seeding) does.
//
// What one `updateItem { title }` costs inside the engine, step by step (automerge-repo 2.5.6):
//   change   Automerge.change: new ImmutableString title, item.updatedAt (item writes leave the
//            collection's own updatedAt alone since 2026-12-06: that put cost ~20% of the change)
//   diff     Automerge.diff(before, after): DocHandle computes patches for its 'change' event
//   save     Automerge.saveSince(lastSavedHeads): what repo.flush() writes to storage
// (then IndexedDB, the materializer and postMessage, which this Node run does not include).
//
// Wall time is reported with process CPU time next to it: on a shared, busy machine the wall time of
// a 0.3 ms operation is often dominated by preemption, while CPU time is not (it does include any
// helper threads, e.g. GC, that ran meanwhile).
//
// Run alone: node bench/measures/automerge-micro.mjs [--items 10000] [--edits 200] [--rounds 3] [--json]

import * as A from '@automerge/automerge';
import { makeItem, prng } from '../lib/data.mjs';
import { summarize } from '../lib/stats.mjs';

const BUCKET_COUNT = 256;

function bucketName(index) {
  return index.toString(16).padStart(2, '0');
}

function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function bucketOf(itemId) {
  return bucketName(fnv1a(itemId) % BUCKET_COUNT);
}

/** Item ids shaped like the app's: 12 random bytes, base64url (16 chars). */
function itemId(rand) {
  const bytes = Buffer.alloc(12);
  for (let i = 0; i < 12; i++) bytes[i] = Math.floor(rand() * 256);
  return bytes.toString('base64url');
}

export function runAutomergeMicro({ items = 10_000, edits = 200, rounds = 3 } = {}) {
  const rand = prng(42);
  const build = { start: performance.now() };
  let doc = A.change(A.init(), (d) => {
    const now = Date.now();
    d.kind = 'pinax.collection';
    d.schema = 1;
    d.name = new A.ImmutableString('Bench 10k');
    d.description = new A.ImmutableString('');
    d.createdAt = now;
    d.updatedAt = now;
    d.buckets = {};
    for (let i = 0; i < BUCKET_COUNT; i++) d.buckets[bucketName(i)] = {};
  });
  const ids = [];
  const addTimes = [];
  for (let i = 0; i < items; i++) {
    const id = itemId(rand);
    ids.push(id);
    const fields = makeItem(i);
    const t0 = performance.now();
    doc = A.change(doc, (d) => {
      const now = Date.now();
      d.buckets[bucketOf(id)][id] = {
        title: new A.ImmutableString(fields.title),
        body: new A.ImmutableString(fields.body),
        tags: Object.fromEntries(fields.tags.map((t) => [t, true])),
        createdAt: now,
        updatedAt: now,
      };
    });
    addTimes.push(performance.now() - t0);
  }
  build.ms = performance.now() - build.start;

  let t0 = performance.now();
  const saved = A.save(doc);
  const saveMs = performance.now() - t0;
  t0 = performance.now();
  doc = A.load(saved);
  const loadMs = performance.now() - t0;
  // automerge-repo's baseline: the first flush after load writes everything; later ones are deltas.
  let savedHeads = A.getHeads(doc);

  const change = [];
  const changeCpu = [];
  const diff = [];
  const saveSince = [];
  const totals = [];
  const totalsCpu = [];
  const incrementalBytes = [];
  const roundSummaries = [];
  for (let round = 0; round < rounds; round++) {
    const roundTotals = [];
    for (let i = 0; i < edits; i++) {
      const id = ids[Math.floor(rand() * ids.length)];
      const title = `Commit probe ${round}.${i} ${Math.floor(rand() * 1e9).toString(36)}`;
      const beforeHeads = A.getHeads(doc);
      const cpu0 = process.cpuUsage();
      const a = performance.now();
      const next = A.change(doc, (d) => {
        const now = Date.now();
        const item = d.buckets[bucketOf(id)][id];
        item.title = new A.ImmutableString(title);
        item.updatedAt = now;
      });
      const b = performance.now();
      const cpu1 = process.cpuUsage(cpu0);
      A.diff(next, beforeHeads, A.getHeads(next));
      const c = performance.now();
      const delta = A.saveSince(next, savedHeads);
      const d = performance.now();
      const cpu2 = process.cpuUsage(cpu0);
      savedHeads = A.getHeads(next);
      doc = next;
      change.push(b - a);
      changeCpu.push((cpu1.user + cpu1.system) / 1000);
      diff.push(c - b);
      saveSince.push(d - c);
      totals.push(d - a);
      totalsCpu.push((cpu2.user + cpu2.system) / 1000);
      roundTotals.push(d - a);
      incrementalBytes.push(delta.length);
    }
    roundSummaries.push(summarize(roundTotals));
  }

  const afterLoad = compareValueColumnSplit(saved, ids, rand, edits);

  return {
    note: 'Node micro-benchmark with @automerge/automerge on a replica of the collection document shape (see file header); excludes IndexedDB, the read model and postMessage',
    items,
    edits,
    rounds,
    build: { ms: build.ms, addItemChangeMs: summarize(addTimes) },
    snapshot: { bytes: saved.length, saveMs, loadMs },
    perEdit: {
      changeMs: summarize(change),
      diffMs: summarize(diff),
      saveSinceMs: summarize(saveSince),
      totalMs: summarize(totals),
      changeCpuMs: summarize(changeCpu),
      totalCpuMs: summarize(totalsCpu),
      incrementalBytes: summarize(incrementalBytes),
    },
    perRoundTotalMs: roundSummaries,
    afterLoad,
    samples: {
      changeMs: change,
      diffMs: diff,
      saveSinceMs: saveSince,
      totalMs: totals,
      changeCpuMs: changeCpu,
      totalCpuMs: totalsCpu,
    },
  };
}

/**
 * The first edits after a load, side by side: two loads of the same bytes, one of them with its value
 * column split as the engine does once loads settle (src/shared/value-column.ts, replicated:
 * every 64th item, last-created first, a different updatedAt in a change that is rolled back). Each
 * edit goes to both, in alternating order.
 */
function compareValueColumnSplit(saved, ids, rand, edits) {
  const plain = { doc: A.load(saved), ms: [] };
  const split = { doc: A.load(saved), ms: [] };
  const t0 = performance.now();
  splitValueColumn(split.doc, 64);
  const splitMs = performance.now() - t0;
  const memory0 = process.memoryUsage().external;
  for (let i = 0; i < edits; i++) {
    const id = ids[Math.floor(rand() * ids.length)];
    const title = `After load ${i}`;
    for (const side of i % 2 === 0 ? [plain, split] : [split, plain]) {
      const a = performance.now();
      side.doc = A.change(side.doc, (d) => {
        const now = Date.now();
        const item = d.buckets[bucketOf(id)][id];
        item.title = new A.ImmutableString(title);
        item.updatedAt = now;
      });
      side.ms.push(performance.now() - a);
    }
  }
  return {
    edits,
    splitMs,
    externalMemoryGrowthMb: (process.memoryUsage().external - memory0) / 1e6,
    plainChangeMs: summarize(plain.ms),
    splitChangeMs: summarize(split.ms),
  };
}

function splitValueColumn(doc, itemsPerSlab) {
  const items = [];
  for (const [bucket, records] of Object.entries(doc.buckets))
    for (const [id, item] of Object.entries(records)) {
      const [counter, actor] = A.getObjectId(item).split('@');
      items.push({ counter: Number(counter), actor, bucket, id });
    }
  items.sort((a, b) => b.counter - a.counter || (a.actor < b.actor ? 1 : a.actor > b.actor ? -1 : 0));
  const rollback = new Error('rollback');
  try {
    A.change(doc, (d) => {
      for (let i = itemsPerSlab - 1; i < items.length; i += itemsPerSlab) {
        const { bucket, id } = items[i];
        d.buckets[bucket][id].updatedAt += 1;
      }
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const result = runAutomergeMicro({
    items: arg('--items', 10_000),
    edits: arg('--edits', 200),
    rounds: arg('--rounds', 3),
  });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const { samples: _samples, ...rest } = result;
    process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
  }
}
