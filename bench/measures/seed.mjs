// Seeding a collection through the engine's public commands, from the page:
//   batch   `addItems`, up to 1,000 items per command (one Automerge change + one flush each), one
//           command at a time; what an import does.
//   single  one `addItem` per item (one change + one flush each), `concurrency` in flight; what a
//           collection grown by hand looks like (one change per item in its history).
// How long seeding takes is itself reported. The history shape differs (10 vs 10,000 changes for
// 10,000 items), which matters for load and sync times: results record which one was used.

import { makeItems } from '../lib/data.mjs';
import { summarize } from '../lib/stats.mjs';
import { command } from '../lib/browser.mjs';

const CHUNK = 1000;

/** Creates a collection and adds `count` items; returns ids (in creation order) and timings. */
export async function seedCollection(
  page,
  { name, count, mode = 'batch', concurrency = 32, seed = 1, log = () => undefined },
) {
  const { collectionId } = await command(page, { type: 'createCollection', name });
  if (mode === 'batch') return seedBatch(page, { collectionId, count, seed, log });
  const ids = [];
  const latencies = [];
  const started = Date.now();
  for (let offset = 0; offset < count; offset += CHUNK) {
    const items = makeItems(Math.min(CHUNK, count - offset), seed, offset);
    const result = await page.evaluate(
      async ({ collectionId, items, concurrency }) => {
        const client = window.__pinax.client;
        const ids = new Array(items.length);
        const latencies = new Array(items.length);
        let next = 0;
        const worker = async () => {
          while (next < items.length) {
            const k = next++;
            const t0 = performance.now();
            const { itemId } = await client.command({ type: 'addItem', collectionId, ...items[k] });
            latencies[k] = performance.now() - t0;
            ids[k] = itemId;
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return { ids, latencies };
      },
      { collectionId, items, concurrency },
    );
    ids.push(...result.ids);
    latencies.push(...result.latencies);
    log(`  seeded ${ids.length}/${count} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  const ms = Date.now() - started;
  return {
    collectionId,
    ids,
    stats: {
      mode: 'single',
      method: `one addItem command per item, ${concurrency} in flight, from the page through the SharedWorker engine`,
      items: count,
      concurrency,
      ms,
      itemsPerSecond: count / (ms / 1000),
      commandLatencyMs: summarize(latencies),
    },
  };
}

async function seedBatch(page, { collectionId, count, seed, log }) {
  const ids = [];
  const latencies = [];
  const started = Date.now();
  for (let offset = 0; offset < count; offset += CHUNK) {
    const items = makeItems(Math.min(CHUNK, count - offset), seed, offset);
    const result = await page.evaluate(
      async ({ collectionId, items }) => {
        const t0 = performance.now();
        const { itemIds } = await window.__pinax.client.command({ type: 'addItems', collectionId, items });
        return { ids: itemIds, ms: performance.now() - t0 };
      },
      { collectionId, items },
    );
    ids.push(...result.ids);
    latencies.push(result.ms);
    log(`  seeded ${ids.length}/${count} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  const ms = Date.now() - started;
  return {
    collectionId,
    ids,
    stats: {
      mode: 'batch',
      method: `addItems commands of ${CHUNK} items, one at a time, from the page through the SharedWorker engine`,
      items: count,
      batchSize: CHUNK,
      ms,
      itemsPerSecond: count / (ms / 1000),
      commandLatencyMs: summarize(latencies),
    },
  };
}

/** Whether the engine knows the `addItems` batch command (it answers an unknown type with an error). */
export async function supportsBatch(page, collectionId) {
  return page.evaluate(async (collectionId) => {
    try {
      await window.__pinax.client.command({ type: 'addItems', collectionId, items: [] });
      return true;
    } catch (error) {
      return !/unknown command type/.test(String(error?.message ?? error));
    }
  }, collectionId);
}
