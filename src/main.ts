import { loadConfig } from './config';
import { createLogger } from './logger';
import { startGateway } from './server';

/** Entry point: serve until SIGTERM or SIGINT, then drain (src/shutdown.ts) and close. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const gateway = await startGateway(config, logger);
  const stop = (signal: string) => {
    logger.info({ signal, drainMs: config.drainTimeoutMs }, 'shutting down');
    // The drain is bounded; this bounds what follows it (flushing the log, closing pools).
    const force = setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.drainTimeoutMs + 10_000);
    force.unref();
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({ level: 'fatal', msg: 'gateway failed to start', err: String(error) }),
  );
  process.exit(1);
});
