// Reproduces an @automerge/automerge 3.5.0 wasm panic ("RuntimeError: unreachable") that makes a
// large Pinax collection impossible to open after a few hundred edits.
//
// automerge-repo 2.5.6 loads a document by concatenating its snapshot chunk and every incremental
// chunk and calling Automerge.loadIncremental(Automerge.init(), bytes) (StorageSubsystem.loadDoc).
// With a collection-shaped document (256 buckets, items with ImmutableString fields) of a few
// thousand items, a snapshot followed by a few hundred one-edit incrementals (what repo.flush()
// writes per acknowledged command) panics; loading the same chunks one at a time works. In the app
// this shows as "Collection unavailable: This collection could not be found" on the next cold
// start (the engine logs "collection unavailable <id> RuntimeError: unreachable" at info level).
// Found by the benchmark suite: after seeding 10,000 items and ~700 title edits, the collection no
// longer opened; its IndexedDB chunks (1 snapshot + 700 incrementals) fail the same way in Node.
//
//   node bench/repro/automerge-load-panic.mjs [items=2000] [edits=900]   (about a minute)

import * as A from '@automerge/automerge';

const ITEMS = Number(process.argv[2] ?? 2000);
const EDITS = Number(process.argv[3] ?? 900);

let seed = 7;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const itemId = () =>
  Buffer.from(Array.from({ length: 12 }, () => Math.floor(rand() * 256))).toString('base64url');
const words = (n) => Array.from({ length: n }, () => Math.floor(rand() * 1e6).toString(36)).join(' ');
const bucket = (i) => (i % 256).toString(16).padStart(2, '0');

let doc = A.change(A.init(), (d) => {
  d.buckets = {};
  for (let i = 0; i < 256; i++) d.buckets[bucket(i)] = {};
  d.updatedAt = 0;
});
const ids = [];
for (let i = 0; i < ITEMS; i++) {
  const id = itemId();
  ids.push(id);
  doc = A.change(doc, (d) => {
    d.buckets[bucket(i)][id] = {
      title: new A.ImmutableString(words(6)),
      body: new A.ImmutableString(words(150)),
      tags: { a: true, b: true, c: true },
      createdAt: i,
      updatedAt: i,
    };
    d.updatedAt = i;
  });
}
const snapshot = A.save(doc); // what automerge-repo's compaction stores
let heads = A.getHeads(doc);
const incrementals = [];
for (let i = 0; i < EDITS; i++) {
  const j = Math.floor(rand() * ITEMS);
  doc = A.change(doc, (d) => {
    const item = d.buckets[bucket(j)][ids[j]];
    item.title = new A.ImmutableString(`edit ${i}`);
    item.updatedAt = ITEMS + i;
    d.updatedAt = ITEMS + i;
  });
  incrementals.push(A.saveSince(doc, heads)); // what repo.flush() stores per edit
  heads = A.getHeads(doc);
}
process.stdout.write(
  `@automerge/automerge: ${ITEMS} items, snapshot ${snapshot.length} bytes, ${incrementals.length} incrementals\n`,
);

// One chunk at a time: works.
let oneByOne = A.load(snapshot);
for (const chunk of incrementals) oneByOne = A.loadIncremental(oneByOne, chunk);
process.stdout.write(`load(snapshot) + loadIncremental per chunk: OK\n`);

// As automerge-repo loads: everything concatenated, into an empty document.
for (let n = 50; n <= EDITS; n += 50) {
  try {
    A.loadIncremental(A.init(), Buffer.concat([snapshot, ...incrementals.slice(0, n)]));
  } catch (error) {
    process.stdout.write(`loadIncremental(init(), snapshot + ${n} incrementals concatenated): ${error}\n`);
    process.exit(1);
  }
}
process.stdout.write('no failure reproduced\n');
