// Builds the app into a directory of its own (not dist/), for tests that need another build of it.

import { execFile } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../src/server/testing/spawn-relay.ts';

/** `vite build --outDir <outDir>` with PINAX_BUILD_ID=<buildId>; vite-plugin-pwa writes sw.js there too.
 * Files of an earlier build in outDir are kept, as a static host keeps old assets during a deploy. */
export async function buildApp(outDir: string, buildId: string): Promise<void> {
  const root = projectRoot();
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      [vite, 'build', '--outDir', outDir, '--logLevel', 'warn'],
      { cwd: root, env: { ...process.env, PINAX_BUILD_ID: buildId }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`vite build failed: ${error.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
}
