// The relay splits the value column of a collection it loads from disk (src/shared/value-column.ts),
// leaves the document as it was, and leaves documents without item buckets alone.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImmutableString, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../shared/testing/cleanups.ts';
import type { Logger } from '../shared/log.ts';
import { waitFor } from './testing/clients.ts';
import { splitLoadedDocuments } from './split-loaded.ts';
import type { BucketedItems } from '../shared/value-column.ts';
import { splitPoints } from '../shared/value-column.ts';
import { resumeMaterializingDocuments, stopMaterializingDocuments, valueOf } from './document-value.ts';

const cleanups = cleanupsAfterEach();
afterEach(() => {
  resumeMaterializingDocuments();
});

describe('splitLoadedDocuments', () => {
  it('splits a collection loaded from disk, and changes nothing in it', async () => {
    const dir = tempDir();
    const { url, heads } = await storeDocuments(dir, 300);
    const { repo, splits } = relayRepo(dir);

    const handle = await repo.find<{ buckets: Record<string, Record<string, unknown>> }>(url);
    await waitFor(() => splits.length > 0, 'the split to be logged');
    expect(splits).toEqual([4]);
    expect(handle.heads()).toEqual(heads);
    expect(Object.keys(handle.doc().buckets['00'] ?? {})).toHaveLength(300);
  });

  it('splits an unmaterialized document (the relay process keeps no JS value) the same', async () => {
    const dir = tempDir();
    const { url, heads } = await storeDocuments(dir, 300);
    stopMaterializingDocuments();
    const { repo, splits } = relayRepo(dir);

    const handle = await repo.find<{ buckets: Record<string, Record<string, unknown>> }>(url);
    await waitFor(() => splits.length > 0, 'the split to be logged');
    expect(Object.keys(handle.doc())).toEqual([]);
    expect(splits).toEqual([4]);
    expect(handle.heads()).toEqual(heads);
    const value = valueOf(handle) as { buckets: Record<string, Record<string, unknown>> };
    expect(Object.keys(value.buckets['00'] ?? {})).toHaveLength(300);
  });

  it('picks the same split points from the JS value as through the backend', async () => {
    const dir = tempDir();
    const { url } = await storeDocuments(dir, 300, 3);
    const pointsOf = async () => {
      const { repo } = relayRepo(dir);
      const handle = await repo.find<BucketedItems>(url);
      const points = splitPoints(handle.doc(), 16);
      await repo.shutdown();
      return { points, hasValue: Object.keys(handle.doc()).length > 0 };
    };
    const materialized = await pointsOf();
    stopMaterializingDocuments();
    const unmaterialized = await pointsOf();
    expect([materialized.hasValue, unmaterialized.hasValue]).toEqual([true, false]);
    expect(materialized.points).toHaveLength(Math.floor(300 / 16));
    expect(new Set(materialized.points.map((p) => p.bucket)).size).toBe(3);
    expect(materialized.points).toEqual(unmaterialized.points);
  });

  it('leaves a document without item buckets alone', async () => {
    const dir = tempDir();
    const { plainUrl } = await storeDocuments(dir, 0);
    const { repo, splits, warnings } = relayRepo(dir);
    await repo.find(plainUrl);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(splits).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

/** A collection-shaped document of `items` items (in one bucket unless asked) and a plain one. */
async function storeDocuments(dir: string, items: number, bucketCount = 1) {
  const repo = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] });
  const bucketNames = Array.from({ length: bucketCount }, (_, b) => String(b).padStart(2, '0'));
  const collection = repo.create<{ buckets: Record<string, Record<string, unknown>> }>({
    buckets: Object.fromEntries(bucketNames.map((name) => [name, {}])),
  });
  for (let start = 0; start < items; start += 100)
    collection.change((doc) => {
      for (let i = start; i < Math.min(items, start + 100); i++)
        doc.buckets[bucketNames[i % bucketCount]!]![`item-${i}`] = {
          title: new ImmutableString(`Item ${i}`),
          body: new ImmutableString(`body ${i} `.repeat(50)),
          updatedAt: i,
        };
    });
  const plain = repo.create({ notes: ['one'] });
  await repo.flush();
  const heads = collection.heads();
  await repo.shutdown();
  return { url: collection.url, plainUrl: plain.url, heads };
}

function relayRepo(dir: string) {
  const repo = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] });
  /** The split points of each split the relay logged (its log names no document). */
  const splits: number[] = [];
  const warnings: unknown[][] = [];
  const log: Logger = {
    debug: (message) => {
      const split = /^value column split \((\d+) points\)$/.exec(String(message));
      if (split) splits.push(Number(split[1]));
    },
    info: () => undefined,
    warn: (...args) => void warnings.push(args),
    error: (...args) => void warnings.push(args),
  };
  const stop = splitLoadedDocuments(repo, log);
  cleanups.push(async () => {
    stop();
    await repo.shutdown();
  });
  return { repo, splits, warnings };
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinax-split-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
