// Test helper: a list of cleanups that runs after each test, last added first (a repo shut down
// before the storage under it is closed), so a failed assertion still releases what the test opened.

import { afterEach } from 'vitest';

/** Registers the afterEach and returns the list to push cleanups onto. Call at module level. */
export function cleanupsAfterEach(): Array<() => unknown> {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return cleanups;
}
