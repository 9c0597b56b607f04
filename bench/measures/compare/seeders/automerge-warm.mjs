// Loads every document into the stock automerge-repo sync server's memory (not timed), as a Node
// client: a Repo without storage finds the index document through the server, then every item
// document with at most 32 finds in flight, and checks each has a title. Afterwards the server
// holds all of them in memory, as it would after receiving them, and as the y-websocket server
// holds its doc. Prints `{ ready, warmMs }`, then exits. Env: SERVER (http://...), INDEX, ITEMS.

import { Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

const server = process.env['SERVER'];
const indexUrl = process.env['INDEX'];
const count = Number(process.env['ITEMS'] ?? 10000);
const report = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

try {
  const started = performance.now();
  const repo = new Repo({ network: [new WebSocketClientAdapter(server.replace(/^http/, 'ws'))] });
  // As in the browser client: a find that fails because the peer went away waits for the handle
  // to become ready after the adapter reconnects (up to 3 x 60 s).
  let unavailable = 0;
  const findReady = async (url) => {
    try {
      return await repo.find(url);
    } catch (error) {
      if (!/unavailable/i.test(String(error?.message))) throw error;
      unavailable++;
      const handle = repo.handles[url.replace(/^automerge:/, '')];
      for (let attempt = 0; handle && attempt < 3; attempt++) {
        try {
          await handle.whenReady(['ready']);
          return handle;
        } catch {
          // the handle's own 60 s timeout; try again
        }
      }
      throw error;
    }
  };
  const urls = (await findReady(indexUrl)).doc().items;
  if (urls.length !== count) throw new Error(`the index lists ${urls.length} items, expected ${count}`);
  let next = 0;
  let ready = 0;
  const timer = setInterval(
    () =>
      report({
        progress: `${ready}/${count} documents loaded (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      }),
    10_000,
  );
  const worker = async () => {
    while (next < urls.length) {
      const handle = await findReady(urls[next++]);
      if (typeof handle.doc()?.title !== 'string') throw new Error(`${handle.url} has no title`);
      ready++;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  clearInterval(timer);
  report({ ready: true, warmMs: performance.now() - started, documents: ready + 1, unavailable });
  await repo.shutdown();
  process.exit(0);
} catch (error) {
  report({ error: String(error?.stack ?? error) });
  process.exit(1);
}
