// Starts the built relay (build/server/server/main.js) as a real child process, for unit tests,
// Playwright and benchmarks. Build it first (`npm run build:server`, or buildRelay() below).
// To restart on the same data: `await relay.stop(); relay = await spawnRelay({ dataDir, port })`.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SpawnRelayOptions {
  /** Storage directory; a fresh temp dir when omitted. Pass the previous one to restart on the same data. */
  dataDir?: string;
  /** Built app to serve; the relay's default (<project>/dist) when omitted. */
  staticDir?: string;
  /** 0 (the default) picks a free port. Pass the previous port to restart at the same address. */
  port?: number;
  host?: string;
  maxFrameBytes?: number;
  /** Extra environment for the child (merged over process.env). */
  env?: Record<string, string>;
  /** Extra command-line arguments, appended last. */
  args?: string[];
  /** How long to wait for the `listening on` line. Default 15 s. */
  timeoutMs?: number;
  /** Copy the relay's output to this process's stderr as it arrives (or set PINAX_RELAY_LOG=1). */
  echo?: boolean;
}

export interface SpawnedRelay {
  /** http://127.0.0.1:<port> */
  url: string;
  /** ws://127.0.0.1:<port>/sync */
  syncUrl: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Everything the relay printed so far (stdout and stderr interleaved, last 1 MB). */
  output(): string;
  /** Sends the signal (SIGTERM by default) and resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: a crash, no flush. Resolves once the process is gone. */
  kill(): Promise<void>;
}

const MAX_OUTPUT = 1024 * 1024;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The project root: the nearest directory above this file whose package.json is named "pinax". */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'pinax') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('spawnRelay: cannot find the pinax project root');
    dir = parent;
  }
}

export function relayEntry(): string {
  return path.join(projectRoot(), 'build', 'server', 'server', 'main.js');
}

export async function spawnRelay(options: SpawnRelayOptions = {}): Promise<SpawnedRelay> {
  const entry = relayEntry();
  if (!fs.existsSync(entry))
    throw new Error(`spawnRelay: ${entry} is missing; run npm run build:server first`);
  const dataDir = options.dataDir ?? (await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pinax-relay-')));
  const args = [entry, '--port', String(options.port ?? 0), '--data-dir', dataDir];
  args.push('--host', options.host ?? '127.0.0.1');
  if (options.staticDir !== undefined) args.push('--static-dir', options.staticDir);
  if (options.maxFrameBytes !== undefined) args.push('--max-frame-bytes', String(options.maxFrameBytes));
  args.push(...(options.args ?? []));

  const child = spawn(process.execPath, args, {
    cwd: projectRoot(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
  });

  let output = '';
  const echo = options.echo ?? process.env['PINAX_RELAY_LOG'] === '1';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-MAX_OUTPUT);
    if (echo) process.stderr.write(text.replace(/^(?=.)/gm, '[relay] '));
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`spawnRelay: ${why}\n--- relay output ---\n${output}`));
    };
    const timer = setTimeout(
      () => fail(`no "listening on" line within ${options.timeoutMs ?? 15_000} ms`),
      options.timeoutMs ?? 15_000,
    );
    const onLine = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        cleanup();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`relay exited before listening (code ${code}, signal ${signal})`);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout.off('data', onLine);
      child.off('exit', onExit);
    };
    child.stdout.on('data', onLine);
    child.once('exit', onExit);
  });

  const port = Number(new URL(url).port);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return {
    url,
    syncUrl: `${url.replace(/^http/, 'ws')}/sync`,
    port,
    dataDir,
    process: child,
    output: () => output,
    stop,
    kill: async () => {
      await stop('SIGKILL');
    },
  };
}

/** Compiles src/server into build/server once per process tree, serialised with a lock directory so
 * parallel test files do not write the same files at once, and skipped when already up to date. */
export async function buildRelay(): Promise<void> {
  const root = projectRoot();
  const lock = path.join(root, 'build', '.server-build.lock');
  const stamp = path.join(root, 'build', 'server', '.built');
  await fs.promises.mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await fs.promises.mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (await fs.promises.stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 60_000) await fs.promises.rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`buildRelay: ${lock} is held for too long`, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    if (await upToDate(root, stamp)) return;
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [tsc, '-p', 'src/server/tsconfig.json'],
        { cwd: root },
        (err, stdout, stderr) =>
          err ? reject(new Error(`buildRelay: tsc failed\n${stdout}${stderr}`, { cause: err })) : resolve(),
      );
    });
    await fs.promises.writeFile(stamp, new Date().toISOString());
  } finally {
    await fs.promises.rm(lock, { recursive: true, force: true });
  }
}

async function upToDate(root: string, stamp: string): Promise<boolean> {
  const built = await fs.promises.stat(stamp).catch(() => undefined);
  if (!built || !fs.existsSync(relayEntry())) return false;
  for (const dir of ['src/server', 'src/shared']) {
    const entries = await fs.promises.readdir(path.join(root, dir), { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile() || !/\.(ts|json)$/.test(entry.name)) continue;
      const stat = await fs.promises.stat(path.join(entry.parentPath, entry.name));
      if (stat.mtimeMs > built.mtimeMs) return false;
    }
  }
  return true;
}

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A crashed test run must not leave relays holding ports.
  process.once('exit', () => {
    for (const proc of live) proc.kill('SIGKILL');
  });
}
