// Relay entry point: parse the configuration, start the relay, shut down cleanly on SIGTERM/SIGINT.
// Exit codes: 0 clean shutdown, 1 start-up or shutdown failure, 2 bad command line or environment.

import { makeLogger } from '../shared/log.ts';
import { ConfigError, parseConfig, USAGE, type ParseResult } from './config.ts';
import { startRelay, type Relay } from './relay.ts';
import { stopMaterializingDocuments } from './document-value.ts';

const log = makeLogger('pinax:relay');
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let parsed: ParseResult;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log.error(`bad configuration: ${err.message}`);
    log.error('run with --help for the options');
    process.exit(2);
  }
  if (parsed.kind === 'help') {
    log.info(USAGE);
    return;
  }
  const { config } = parsed;

  // Last line of defence: a hostile peer must not be able to take the relay down through some
  // path inside automerge-repo that the frame checks did not foresee.
  process.on('unhandledRejection', (reason) =>
    log.error('unhandled rejection (relay keeps running)', reason),
  );

  // This process only stores and relays documents: keep them without a JS value (document-value.ts).
  stopMaterializingDocuments();
  let relay: Relay;
  try {
    relay = await startRelay(config, { log });
  } catch (err) {
    log.error(`could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  log.info(`listening on ${relay.url}`);
  log.debug('config', config);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn(`received ${signal} again, exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.info(`received ${signal}, shutting down`);
    const timer = setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS} ms, exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    relay.close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error('shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  log.error('fatal', err);
  process.exit(1);
});
