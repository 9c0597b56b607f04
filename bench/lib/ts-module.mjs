// Imports one of the app's TypeScript modules from a plain .mjs benchmark: rolldown (the bundler
// inside Vite 8) bundles the entry and everything it imports, dependencies included, into one ES
// module in the OS temp directory, which is then imported. Bundling dependencies in keeps the temp
// file loadable from outside the project's node_modules.

import { build } from 'rolldown';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @param {string} entryPath a .ts file, absolute or relative to the current directory
 * @returns {Promise<Record<string, any>>} the module's exports
 */
export async function importTs(entryPath) {
  const dir = await mkdtemp(join(tmpdir(), 'pinax-bench-'));
  const file = join(dir, `${basename(entryPath).replace(/\.[cm]?tsx?$/, '')}.mjs`);
  try {
    await build({
      input: resolve(entryPath),
      platform: 'node',
      logLevel: 'warn',
      output: { file, format: 'esm' },
    });
    return await import(pathToFileURL(file).href);
  } finally {
    // The module stays loaded after its file is gone.
    await rm(dir, { recursive: true, force: true });
  }
}
