// Seeds the data dir of the stock automerge-repo sync server before it starts (not timed), from a
// Node process with the stock Repo and NodeFSStorageAdapter the server uses: one document per item
// (plain strings, which Automerge 3 stores as text) and an index document `{ items: [url, ...] }`,
// flushed to disk. Prints `{ ready, indexUrl }`, then exits. Env: DATA_DIR, ITEMS, SEED.
//
// Why not through the server: each document the server receives that it does not have is first
// looked up in storage, and NodeFSStorageAdapter.loadRange filters Object.keys() of a cache that
// holds every chunk it has saved, so pushing N new documents costs O(N^2) (measured: ~200
// documents/s at first, under 10/s after 7,000), and under this machine's load some server handles
// then missed automerge-repo's 60 s whenReady() timeout, which stock 2.5.6 leaves unhandled
// (DocSynchronizer.beginSync) and which ends the server process. A server started on this dir
// loads documents without filling that cache; automerge-warm.mjs then loads them all into it.

import { Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { makeItem } from '../../../lib/data.mjs';

const dataDir = process.env['DATA_DIR'];
const count = Number(process.env['ITEMS'] ?? 10000);
const seed = Number(process.env['SEED'] ?? 1);
const report = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  const started = performance.now();
  const repo = new Repo({ storage: new NodeFSStorageAdapter(dataDir) });
  const urls = [];
  for (let i = 0; i < count; i++) {
    urls.push(repo.create(makeItem(i, seed)).url);
    if (i % 500 === 499) await sleep(0);
  }
  const index = repo.create({ items: urls });
  await repo.flush();
  report({ ready: true, indexUrl: index.url, documents: count + 1, writtenMs: performance.now() - started });
  process.exit(0);
} catch (error) {
  report({ error: String(error?.stack ?? error) });
  process.exit(1);
}
