// Relay configuration from command-line flags and environment variables. Flags win over the
// environment, the environment wins over the defaults. Pure: no I/O, so it is unit-tested directly.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RelayConfig {
  /** TCP port; 0 lets the OS pick a free one. */
  port: number;
  host: string;
  /** Absolute path of the automerge-repo storage directory. */
  dataDir: string;
  /** Absolute path of the built app (vite's dist/). */
  staticDir: string;
  /** Largest WebSocket frame accepted; larger frames close the socket with 1009. */
  maxFrameBytes: number;
  /** Frames per second one connection may send on average (bursts of 10 s allowed); 0 = no limit. */
  maxMessagesPerSecond: number;
  /** Documents nobody has synced for this long are dropped from memory (kept on disk); 0 = never. */
  evictIdleMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const MIN_FRAME_BYTES = 1024;
export const MAX_FRAME_BYTES_LIMIT = 1024 * 1024 * 1024;

/** build/server/server/config.js → <project>/dist (and src/server/config.ts → <project>/dist, too). */
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_STATIC_DIR = path.resolve(
  HERE,
  HERE.endsWith(path.join('build', 'server', 'server')) ? '../../../dist' : '../../dist',
);

export const USAGE = `Usage: node build/server/server/main.js [options]

Options (environment variable in brackets; flags win):
  --port <n>             TCP port, 0 = any free port [PORT] (default 8080)
  --host <name>          interface to bind [HOST] (default 127.0.0.1)
  --data-dir <path>      document storage directory [DATA_DIR] (default ./data)
  --static-dir <path>    built app to serve [STATIC_DIR] (default <project>/dist)
  --max-frame-bytes <n>  largest WebSocket frame [MAX_FRAME_BYTES] (default 33554432)
  --max-messages-per-second <n>
                         frames per second per connection, 0 = unlimited
                         [MAX_MESSAGES_PER_SECOND] (default 500)
  --evict-idle-ms <n>    drop documents idle this long from memory, 0 = never
                         [EVICT_IDLE_MS] (default 300000)
  --help                 print this help`;

type Key =
  | 'port'
  | 'host'
  | 'data-dir'
  | 'static-dir'
  | 'max-frame-bytes'
  | 'max-messages-per-second'
  | 'evict-idle-ms';

const ENV_NAMES: Record<Key, string> = {
  port: 'PORT',
  host: 'HOST',
  'data-dir': 'DATA_DIR',
  'static-dir': 'STATIC_DIR',
  'max-frame-bytes': 'MAX_FRAME_BYTES',
  'max-messages-per-second': 'MAX_MESSAGES_PER_SECOND',
  'evict-idle-ms': 'EVICT_IDLE_MS',
};

const KEYS = Object.keys(ENV_NAMES) as Key[];

export type ParseResult = { kind: 'config'; config: RelayConfig } | { kind: 'help' };

/**
 * Parses flags (`--port 8080` or `--port=8080`) and environment variables.
 * Throws ConfigError with a message meant for the user on any bad or unknown flag or value.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): ParseResult {
  const flags = new Map<Key, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) as Key;
    if (!KEYS.includes(name)) throw new ConfigError(`unknown flag "--${name}"`);
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new ConfigError(`flag --${name} needs a value`);
      i++;
    }
    if (flags.has(name)) throw new ConfigError(`flag --${name} given twice`);
    flags.set(name, value);
  }

  const pick = (key: Key): { value: string; source: string } | undefined => {
    const flag = flags.get(key);
    if (flag !== undefined) return { value: flag, source: `--${key}` };
    const fromEnv = env[ENV_NAMES[key]];
    // An empty variable counts as unset (`PORT= npm start`).
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: ENV_NAMES[key] };
    return undefined;
  };

  const port = pick('port');
  const host = pick('host');
  const dataDir = pick('data-dir');
  const staticDir = pick('static-dir');
  const maxFrame = pick('max-frame-bytes');
  const rate = pick('max-messages-per-second');
  const evictIdle = pick('evict-idle-ms');

  return {
    kind: 'config',
    config: {
      port: port ? parseInteger(port.value, port.source, 0, 65535) : 8080,
      host: host ? nonEmpty(host.value, host.source) : '127.0.0.1',
      dataDir: path.resolve(cwd, dataDir ? nonEmpty(dataDir.value, dataDir.source) : 'data'),
      staticDir: staticDir
        ? path.resolve(cwd, nonEmpty(staticDir.value, staticDir.source))
        : DEFAULT_STATIC_DIR,
      maxFrameBytes: maxFrame
        ? parseInteger(maxFrame.value, maxFrame.source, MIN_FRAME_BYTES, MAX_FRAME_BYTES_LIMIT)
        : 32 * 1024 * 1024,
      maxMessagesPerSecond: rate ? parseInteger(rate.value, rate.source, 0, 1_000_000) : 500,
      evictIdleMs: evictIdle ? parseInteger(evictIdle.value, evictIdle.source, 0, 2_147_483_647) : 300_000,
    },
  };
}

function parseInteger(raw: string, source: string, min: number, max: number): number {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) throw new ConfigError(`${source} must be a whole number, got "${raw}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ConfigError(`${source} must be between ${min} and ${max}, got "${raw}"`);
  return value;
}

function nonEmpty(raw: string, source: string): string {
  if (raw.trim() === '') throw new ConfigError(`${source} must not be empty`);
  return raw;
}
