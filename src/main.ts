import { loadConfig } from './config';
import { createLogger } from './logger';
import { startGateway } from './server';
import { serveUntilSignalled } from './shutdown';

/** Entry point: serve until SIGTERM or SIGINT, then drain (src/shutdown.ts) and close. */
const config = loadConfig();
const logger = createLogger(config.logLevel);
serveUntilSignalled(() => startGateway(config, logger), {
  drainMs: config.drainTimeoutMs,
  logger,
  what: 'gateway',
});
