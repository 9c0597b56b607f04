import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_STATIC_DIR, parseConfig, type RelayConfig } from './config.ts';

const cwd = '/srv/pinax';

function config(argv: string[], env: Record<string, string> = {}): RelayConfig {
  const result = parseConfig(argv, env, cwd);
  if (result.kind !== 'config') throw new Error('expected a config');
  return result.config;
}

describe('parseConfig', () => {
  it('uses the defaults', () => {
    expect(config([])).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/pinax/data',
      staticDir: DEFAULT_STATIC_DIR,
      maxFrameBytes: 32 * 1024 * 1024,
      maxMessagesPerSecond: 500,
      evictIdleMs: 300_000,
    });
  });

  it('reads the idle eviction time, where 0 turns eviction off', () => {
    expect(config(['--evict-idle-ms', '0']).evictIdleMs).toBe(0);
    expect(config([], { EVICT_IDLE_MS: '1500' }).evictIdleMs).toBe(1500);
    expect(() => config(['--evict-idle-ms', 'soon'])).toThrow(ConfigError);
  });

  it('defaults the static dir to the project dist/', () => {
    expect(DEFAULT_STATIC_DIR).toBe(path.resolve(import.meta.dirname, '../../dist'));
  });

  it('reads flags in both forms and resolves directories against cwd', () => {
    expect(
      config([
        '--port',
        '0',
        '--host=0.0.0.0',
        '--data-dir',
        'var/docs',
        '--static-dir=/opt/app',
        '--max-frame-bytes',
        '65536',
        '--max-messages-per-second=0',
        '--evict-idle-ms=60000',
      ]),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/srv/pinax/var/docs',
      staticDir: '/opt/app',
      maxFrameBytes: 65536,
      maxMessagesPerSecond: 0,
      evictIdleMs: 60_000,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      PORT: '9000',
      HOST: '::1',
      DATA_DIR: '/d',
      STATIC_DIR: 's',
      MAX_FRAME_BYTES: '2048',
      MAX_MESSAGES_PER_SECOND: '50',
      EVICT_IDLE_MS: '1000',
    };
    expect(config([], env)).toEqual({
      port: 9000,
      host: '::1',
      dataDir: '/d',
      staticDir: '/srv/pinax/s',
      maxFrameBytes: 2048,
      maxMessagesPerSecond: 50,
      evictIdleMs: 1000,
    });
    expect(config(['--port', '9001', '--data-dir', '/e'], env)).toMatchObject({
      port: 9001,
      dataDir: '/e',
      host: '::1',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(config([], { PORT: '', DATA_DIR: '' })).toMatchObject({ port: 8080, dataDir: '/srv/pinax/data' });
  });

  it('answers --help', () => {
    expect(parseConfig(['--port', '1', '--help'], {}, cwd)).toEqual({ kind: 'help' });
  });

  it.each([
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '65536'], /--port must be between 0 and 65535/],
    [['--port', '-1'], /needs a value|whole number/],
    [['--port', '80.5'], /whole number/],
    [['--port'], /--port needs a value/],
    [['--port', '--host', 'x'], /--port needs a value/],
    [['--bogus', '1'], /unknown flag "--bogus"/],
    [['serve'], /unexpected argument "serve"/],
    [['--port', '1', '--port', '2'], /given twice/],
    [['--host', ' '], /--host must not be empty/],
    [['--data-dir='], /--data-dir must not be empty/],
    [['--max-frame-bytes', '10'], /--max-frame-bytes must be between 1024/],
    [['--max-frame-bytes', '1e6'], /whole number/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseConfig(argv, {}, cwd)).toThrow(ConfigError);
    expect(() => parseConfig(argv, {}, cwd)).toThrow(message);
  });

  it('names the variable when the environment is wrong', () => {
    expect(() => parseConfig([], { PORT: 'eighty' }, cwd)).toThrow(/PORT must be a whole number/);
    expect(() => parseConfig([], { MAX_FRAME_BYTES: '0' }, cwd)).toThrow(/MAX_FRAME_BYTES must be between/);
  });
});
