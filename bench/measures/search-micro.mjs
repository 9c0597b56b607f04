// Measure: the engine's search index (src/worker/search/search-index.ts) in Node, on the benchmark
// items of lib/data.mjs. The real TypeScript module is bundled with rolldown and imported
// (lib/ts-module.mjs), so this measures the code the engine runs, not a replica.
//
// For each size: build the index through `upsert` (the engine's path), then time 200 `search()`
// calls, each a two-word query of vocabulary words (the second word cut to a 3-4 character prefix,
// as while typing; ~30% of the first words carry one typo), with limit 50 and tag facets over all
// matches. Also reported: build time, memory after building, snapshot size, serialize and deserialize
// time, and search right after an edit (on the restored index: each of 50 rounds upserts one changed
// item, then times one query; the index drops removed postings lazily, when a query reads them).
//
// Memory: the index keeps its postings in typed arrays, whose contents V8 keeps outside its heap, so
// `heapUsed` alone misses most of it; `arrayBuffers` (process.memoryUsage) is reported next to it.
//
// The data is harsher than real text: a ~130-word vocabulary means every body holds most words, so
// a two-word query matches a large share of all items, and every match is scored and faceted.
//
// Wall time is reported with process CPU time next to it (as in automerge-micro.mjs): on a shared,
// busy machine preemption inflates wall time, CPU time much less (it does include GC helper threads).
//
// Run alone: node bench/measures/search-micro.mjs [--items 10000] [--queries 200] [--json]
// (add node --expose-gc to measure the heap after a full collection).

import { fileURLToPath } from 'node:url';
import { makeItem, prng } from '../lib/data.mjs';
import { fmtBytes, fmtMs, summarize } from '../lib/stats.mjs';
import { importTs } from '../lib/ts-module.mjs';

const SOURCE = fileURLToPath(new URL('../../src/worker/search/search-index.ts', import.meta.url));
const WARMUP_QUERIES = 20;
const COLLECTIONS = 10;
const EDIT_ROUNDS = 50;
/** Items per upsertMany: the engine's rebuild slice (REBUILD_SLICE in read-models.ts). */
const BUILD_SLICE = 500;

export async function runSearchMicro({ items = 10_000, queries = 200 } = {}) {
  const { SearchIndex, BODY_INDEX_CHARS, INDEX_FORMAT_VERSION } = await importTs(SOURCE);
  const rand = prng(7);
  const vocabulary = vocabularyOf(Math.min(items, 2_000));
  const queryList = Array.from({ length: queries + WARMUP_QUERIES }, () => makeQuery(rand, vocabulary));

  // Only `held` refers to the big structures, so each can be dropped (and collected) before the
  // next one is measured.
  const held = { index: new SearchIndex(), json: '' };
  collectGarbage();
  const { heapUsed: heapBefore, arrayBuffers: buffersBefore } = process.memoryUsage();
  // Both build paths once on a small set first, so neither timing below includes the JIT warming up.
  warmBuild(SearchIndex, Math.min(items, 2_000));
  // Built as the engine builds a collection's index: upsertMany, one rebuild slice at a time. Only
  // the index calls are timed, not making the items.
  const buildMs = buildInSlices(items, (slice) => held.index.upsertMany(slice));
  collectGarbage();
  const { heapUsed: heapAfterBuild, arrayBuffers: buffersAfterBuild } = process.memoryUsage();
  // The same items upserted one at a time (an edit's path), for the ratio; dropped at once.
  const oneByOne = { index: new SearchIndex() };
  const buildEachMs = buildInSlices(items, (slice) => {
    for (const doc of slice) oneByOne.index.upsert(doc);
  });
  oneByOne.index = new SearchIndex();
  collectGarbage();

  const { times, cpuTimes, totals } = timeQueries(held.index, queryList);
  const probe = queryList[WARMUP_QUERIES];
  const probeTotal = held.index.search(probe, { limit: 50 }).total;

  let t0 = performance.now();
  held.json = held.index.serialize();
  const serializeMs = performance.now() - t0;
  const serializedBytes = Buffer.byteLength(held.json);
  held.index = undefined;
  collectGarbage();
  t0 = performance.now();
  const restored = SearchIndex.deserialize(held.json);
  const deserializeMs = performance.now() - t0;
  held.json = undefined;
  collectGarbage();
  const { heapUsed: heapAfterDeserialize, arrayBuffers: buffersAfterDeserialize } = process.memoryUsage();
  const restoredMatches = restored?.search(probe, { limit: 50 }).total === probeTotal;
  const afterEdit = restored ? timeQueriesAfterEdits(restored, items, queryList) : undefined;

  return {
    note: 'Node micro-benchmark of SearchIndex (bundled from TS with rolldown); per-call wall and process CPU time of search() with limit 50 and facets over all matches',
    items,
    queries,
    bodyIndexChars: BODY_INDEX_CHARS,
    indexFormatVersion: INDEX_FORMAT_VERSION,
    gcExposed: typeof globalThis.gc === 'function',
    build: {
      ms: buildMs,
      eachMs: buildEachMs,
      heapUsedBytes: heapAfterBuild,
      heapDeltaBytes: heapAfterBuild - heapBefore,
      arrayBuffersBytes: buffersAfterBuild,
      arrayBuffersDeltaBytes: buffersAfterBuild - buffersBefore,
    },
    searchMs: summarize(times),
    searchCpuMs: summarize(cpuTimes),
    matchesPerQuery: summarize(totals),
    searchAfterEditMs: afterEdit ? summarize(afterEdit.times) : null,
    upsertMs: afterEdit ? summarize(afterEdit.upserts) : null,
    snapshot: {
      bytes: serializedBytes,
      serializeMs,
      deserializeMs,
      heapUsedAfterDeserializeBytes: heapAfterDeserialize,
      arrayBuffersAfterDeserializeBytes: buffersAfterDeserialize,
      restoredMatches,
    },
    samples: { searchMs: times, searchCpuMs: cpuTimes, queries: queryList.slice(WARMUP_QUERIES) },
  };
}

/** Times each search; the first WARMUP_QUERIES calls (JIT warm-up) are not recorded. */
function timeQueries(index, queryList) {
  const times = [];
  const cpuTimes = [];
  const totals = [];
  for (const [n, query] of queryList.entries()) {
    const cpu0 = process.cpuUsage();
    const a = performance.now();
    const outcome = index.search(query, { limit: 50 });
    const ms = performance.now() - a;
    const cpu = process.cpuUsage(cpu0);
    if (n < WARMUP_QUERIES) continue;
    times.push(ms);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    totals.push(outcome.total);
  }
  return { times, cpuTimes, totals };
}

/** Per round: upsert one existing item with new text (timed), then one query (timed). */
function timeQueriesAfterEdits(index, items, queryList) {
  const times = [];
  const upserts = [];
  for (let n = 0; n < EDIT_ROUNDS; n++) {
    const i = (n * 7919) % items;
    const { title, body, tags } = makeItem(i, 2 + n);
    const collectionId = `c${i % COLLECTIONS}`;
    const itemId = `item${i}`;
    let a = performance.now();
    index.upsert({ key: `${collectionId}/${itemId}`, collectionId, itemId, title, tags, body });
    upserts.push(performance.now() - a);
    a = performance.now();
    index.search(queryList[WARMUP_QUERIES + (n % (queryList.length - WARMUP_QUERIES))], { limit: 50 });
    times.push(performance.now() - a);
  }
  return { times, upserts };
}

/** Milliseconds spent in `add`, called with the items in slices of BUILD_SLICE. */
function buildInSlices(items, add) {
  let ms = 0;
  for (let start = 0; start < items; start += BUILD_SLICE) {
    const slice = [];
    for (let i = start; i < Math.min(items, start + BUILD_SLICE); i++) slice.push(benchDoc(i));
    const t0 = performance.now();
    add(slice);
    ms += performance.now() - t0;
  }
  return ms;
}

function warmBuild(SearchIndex, count) {
  const batched = new SearchIndex();
  const each = new SearchIndex();
  for (let i = 0; i < count; i++) each.upsert(benchDoc(i));
  batched.upsertMany(Array.from({ length: count }, (_, i) => benchDoc(i)));
}

/** The i-th benchmark item as the engine indexes it, in one of COLLECTIONS collections. */
function benchDoc(i) {
  const { title, body, tags } = makeItem(i);
  const collectionId = `c${i % COLLECTIONS}`;
  const itemId = `item${i}`;
  return { key: `${collectionId}/${itemId}`, collectionId, itemId, title, tags, body };
}

/** The words of the benchmark data (lib/data.mjs keeps its list private), from the items' titles. */
export function vocabularyOf(count) {
  const words = new Set();
  for (let i = 0; i < count; i++) for (const w of makeItem(i).title.split(' ')) words.add(w);
  return [...words].sort();
}

/** A 2-word query: the first word whole (30% with a typo), the second a 3-4 letter prefix. */
export function makeQuery(rand, vocabulary) {
  const pick = () => vocabulary[Math.floor(rand() * vocabulary.length)];
  let first = pick();
  if (rand() < 0.3) first = typo(rand, first);
  const second = pick();
  return `${first} ${second.slice(0, Math.min(second.length, 3 + Math.floor(rand() * 2)))}`;
}

/** One substituted letter, away from the first (fuzzy matching still has to find the word). */
function typo(rand, word) {
  if (word.length < 4) return word;
  const at = 1 + Math.floor(rand() * (word.length - 1));
  const letters = 'abcdefghijklmnopqrstuvwxyz'.replace(word[at], '');
  return word.slice(0, at) + letters[Math.floor(rand() * letters.length)] + word.slice(at + 1);
}

function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  const result = await runSearchMicro({ items: arg('--items', 10_000), queries: arg('--queries', 200) });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const s = result.searchMs;
    const rows = [
      ['items', String(result.items)],
      ['body chars indexed', String(result.bodyIndexChars)],
      [`build (upsertMany, ${BUILD_SLICE} a batch)`, fmtMs(result.build.ms)],
      ['build (upsert each)', fmtMs(result.build.eachMs)],
      [
        'heap / array buffers after build',
        `${fmtBytes(result.build.heapUsedBytes)} / ${fmtBytes(result.build.arrayBuffersBytes)}`,
      ],
      [`search p50 / p95 / max (n=${s.n})`, `${fmtMs(s.p50)} / ${fmtMs(s.p95)} / ${fmtMs(s.max)}`],
      ['search CPU p50 / p95', `${fmtMs(result.searchCpuMs.p50)} / ${fmtMs(result.searchCpuMs.p95)}`],
      ['matches per query p50 / max', `${result.matchesPerQuery.p50} / ${result.matchesPerQuery.max}`],
      [
        `search after an edit p50 / p95 (n=${result.searchAfterEditMs?.n ?? 0})`,
        `${fmtMs(result.searchAfterEditMs?.p50)} / ${fmtMs(result.searchAfterEditMs?.p95)}`,
      ],
      ['upsert p50 / p95', `${fmtMs(result.upsertMs?.p50)} / ${fmtMs(result.upsertMs?.p95)}`],
      ['snapshot size', fmtBytes(result.snapshot.bytes)],
      [
        'serialize / deserialize',
        `${fmtMs(result.snapshot.serializeMs)} / ${fmtMs(result.snapshot.deserializeMs)}`,
      ],
      [
        'heap / array buffers after deserialize',
        `${fmtBytes(result.snapshot.heapUsedAfterDeserializeBytes)} / ${fmtBytes(result.snapshot.arrayBuffersAfterDeserializeBytes)}`,
      ],
      ['restored index agrees', String(result.snapshot.restoredMatches)],
      ['gc exposed', String(result.gcExposed)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  }
}
