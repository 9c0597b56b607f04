// Plumbing for the comparison benchmarks: child server processes, browser bundles, the stock
// (unpatched) automerge-repo sources, and waiting for a client page's result.

import { execFile as execFileCb, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'rolldown';

const execFile = promisify(execFileCb);

export const COMPARE_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(COMPARE_DIR, '../../..');
export const NODE_MODULES = path.join(ROOT, 'node_modules');

// ---------------------------------------------------------------------------------------------
// Child processes

/** Every child started here, so even an abrupt exit of the parent does not leave one behind. */
const children = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/**
 * Starts `node [nodeArgs] script` and resolves once it prints a JSON line with `ready: true`
 * (returned as `info`). Rejects if it exits or prints `{ error }` first, or after `timeoutMs`.
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, info: any, lines: string[], stderr: () => string, stop: () => Promise<void> }>}
 */
export function startNode(
  script,
  { env = {}, args = [], nodeArgs = [], timeoutMs = 60_000, label, log } = {},
) {
  installExitHook();
  const name = label ?? path.basename(script);
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines = [];
  let stderr = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  void exited.then(() => children.delete(child));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const handle = { child, info: null, lines, stderr: () => stderr, stop };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() =>
        reject(new Error(`${name}: ${message}${stderr ? `; stderr: ${stderr.trim().slice(-1500)}` : ''}`)),
      );
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        lines.push(line);
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          message = null;
        }
        if (message?.progress && log) log(`  ${name}: ${message.progress}`);
        if (settled) continue;
        if (message?.error) fail(message.error);
        else if (message?.ready) {
          settled = true;
          clearTimeout(timer);
          handle.info = message;
          resolve(handle);
        }
      }
    });
    void exited.then(({ code, signal }) =>
      fail(`exited (code ${code}, signal ${signal}) before it was ready`),
    );
  });
}

/** GET a JSON control endpoint of one of the server processes. */
export async function getJson(url, timeoutMs = 120_000) {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

// ---------------------------------------------------------------------------------------------
// The stock automerge-repo
//
// This project patches @automerge/automerge-repo (patches/*.patch, applied by patch-package on
// install). The comparison wants the stock library, so the published tarball of the installed
// version is fetched with `npm pack` (from the npm cache when it is there) and every file of its
// dist/ that differs from node_modules is substituted at load time: in the browser bundle by a
// rolldown plugin, in Node by module hooks (stock-hooks.mjs). Imports still resolve from
// node_modules. (Reversing the project's patch file instead would break whenever the patch file
// and node_modules disagree, e.g. while someone edits the patch.)

async function listFiles(dir) {
  const out = [];
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}

/**
 * @returns {Promise<{ files: Record<string, string>, note: string }>} real path in node_modules ->
 *   stock copy in `dir`, for every file that differs; empty when node_modules is stock.
 */
export async function prepareStockAutomergeRepo(dir) {
  const name = '@automerge/automerge-repo';
  const pkgDir = path.join(NODE_MODULES, name);
  const { version } = JSON.parse(await fs.promises.readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  await fs.promises.mkdir(dir, { recursive: true });
  const { stdout } = await execFile(
    'npm',
    ['pack', `${name}@${version}`, '--pack-destination', dir, '--prefer-offline', '--silent'],
    { cwd: dir },
  );
  const tarball = path.join(dir, stdout.trim().split('\n').pop());
  await execFile('tar', ['-xzf', tarball, '-C', dir]);
  const stockDist = path.join(dir, 'package', 'dist');
  const files = {};
  for (const file of await listFiles(stockDist)) {
    if (!/\.m?js$/.test(file)) continue;
    const installed = path.join(pkgDir, 'dist', path.relative(stockDist, file));
    const [a, b] = await Promise.all([
      fs.promises.readFile(file),
      fs.promises.readFile(installed).catch(() => null),
    ]);
    if (b === null || !a.equals(b))
      files[await fs.promises.realpath(installed).catch(() => installed)] = file;
  }
  const changed = Object.keys(files).map((f) => path.relative(pkgDir, f));
  return {
    files,
    note:
      changed.length === 0
        ? `${name} ${version}: node_modules matches the published package`
        : `${name} ${version}: the published files replace the project's patched ones (${changed.join(', ')})`,
  };
}

/**
 * Node flags and environment that make a child process load the stock automerge-repo files
 * (`files` from prepareStockAutomergeRepo, written to `mapFile`).
 */
export async function stockNode(files, mapFile) {
  await fs.promises.writeFile(mapFile, JSON.stringify(files));
  return {
    nodeArgs: ['--import', path.join(COMPARE_DIR, 'stock-register.mjs')],
    env: { PINAX_COMPARE_STOCK_MAP: mapFile },
  };
}

// ---------------------------------------------------------------------------------------------
// Browser bundles

/**
 * Bundles `clients/<name>.mjs` (and its dependencies) into `<outDir>/client.js` for the browser,
 * with a tiny `index.html` that loads it. `stockFiles` substitutes the stock automerge-repo.
 */
export async function bundleClient(name, outDir, { stockFiles = {}, title = name } = {}) {
  await fs.promises.mkdir(outDir, { recursive: true });
  const stock = new Map(Object.entries(stockFiles));
  await build({
    input: path.join(COMPARE_DIR, 'clients', `${name}.mjs`),
    platform: 'browser',
    logLevel: 'warn',
    plugins: [
      {
        name: 'stock-automerge-repo',
        load(id) {
          const file = stock.get(id);
          return file === undefined ? null : fs.promises.readFile(file, 'utf8');
        },
      },
    ],
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    output: { file: path.join(outDir, 'client.js'), format: 'esm' },
  });
  await fs.promises.writeFile(
    path.join(outDir, 'index.html'),
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>` +
      `<body><script type="module" src="/client.js"></script></body></html>\n`,
  );
  return outDir;
}

// ---------------------------------------------------------------------------------------------
// Pages

/**
 * Navigates a brand-new page of `device` to `url` and waits (up to `timeoutMs`) for the client's
 * `window.__compare` to hold `{ result }` or `{ error }`. Throws on error or timeout.
 */
export async function runClientPage(device, url, timeoutMs) {
  const page = await device.context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error?.message ?? error)));
  await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
  try {
    await page.waitForFunction(
      () => window.__compare?.result !== undefined || window.__compare?.error !== undefined,
      null,
      { timeout: timeoutMs, polling: 250 },
    );
  } catch (error) {
    const progress = await page.evaluate(() => window.__compare?.progress ?? null).catch(() => null);
    const timeout = new Error(
      `no result after ${timeoutMs} ms (${String(error?.message ?? error).split('\n')[0]}); ` +
        `progress: ${JSON.stringify(progress)}; page errors: ${JSON.stringify(pageErrors.slice(0, 3))}`,
      { cause: error },
    );
    // The client had reported no failure and was still reporting progress when time ran out: a
    // measurement censored at `timeoutMs`, which a caller may report as a lower bound. (Page errors
    // here are the stock library's unhandled find timeouts, which the client survives and counts.)
    if (progress !== null) timeout.censored = { afterMs: timeoutMs, progress, pageErrors: pageErrors.length };
    throw timeout;
  }
  const state = await page.evaluate(() => ({
    result: window.__compare.result,
    error: window.__compare.error,
    progress: window.__compare.progress,
    at: performance.now(),
  }));
  if (state.error !== undefined)
    throw new Error(
      `client failed at ${Math.round(state.at)} ms: ${state.error}; progress: ${JSON.stringify(state.progress)}`,
    );
  return { page, result: state.result };
}

export function errorMessage(error) {
  return String(error?.message ?? error);
}
