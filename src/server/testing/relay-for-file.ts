// The relay process most server test files share: built and spawned before the file's tests, then
// stopped (it must exit cleanly) and its directories removed after them.

import fs from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { makeStaticFixture } from './clients.ts';
import { buildRelay, spawnRelay, type SpawnedRelay } from './spawn-relay.ts';

/**
 * Registers the file's relay; returns a getter for it (valid once the tests run). `beforeStop` runs
 * first, to close the file's clients.
 */
export function relayForFile(beforeStop: () => unknown = () => undefined): () => SpawnedRelay {
  let relay: SpawnedRelay | undefined;
  let staticDir: string | undefined;
  beforeAll(async () => {
    await buildRelay();
    staticDir = makeStaticFixture();
    relay = await spawnRelay({ staticDir });
  }, 60_000);
  afterAll(async () => {
    await beforeStop();
    if (relay) {
      expect(await relay.stop()).toBe(0);
      fs.rmSync(relay.dataDir, { recursive: true, force: true });
    }
    if (staticDir) fs.rmSync(staticDir, { recursive: true, force: true });
  });
  return () => {
    if (!relay) throw new Error('the relay starts before the tests run');
    return relay;
  };
}
