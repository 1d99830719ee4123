import type http from 'node:http';
import type { Logger } from './logger';

/**
 * Drains an HTTP server: stops accepting connections, answers every request still arriving on
 * a kept-alive connection with `Connection: close`, closes connections as they fall idle, and
 * lets requests in flight finish (their access log entries commit before they answer). What is
 * still open after `drainMs` is closed. Resolves when the server is closed.
 */
export async function drainHttpServer(
  server: http.Server,
  drainMs: number,
  logger: Logger,
): Promise<void> {
  const started = Date.now();
  const closing = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.shouldKeepAlive = false;
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  // Ahead of the gateway's own handler, so the header is set before anything is written.
  server.prependListener('request', closing);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 20);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), drainMs);
  });
  const outcome = await Promise.race([closed.then(() => 'drained' as const), late]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (outcome === 'late') {
    logger.warn({ drainMs }, 'drain time over: closing the connections still open');
    server.closeAllConnections();
    await closed;
  }
  server.removeListener('request', closing);
  logger.info({ ms: Date.now() - started, drainMs, outcome }, 'HTTP server drained');
}

/**
 * Serves until SIGTERM or SIGINT, then closes (draining first); the close is bounded, so a
 * process that cannot finish in time still exits. `start` fails loudly: the process exits 1.
 */
export function serveUntilSignalled(
  start: () => Promise<{ close(): Promise<void> }>,
  options: { drainMs: number; logger: Logger; what: string },
): void {
  const { drainMs, logger, what } = options;
  start().then(
    (running) => {
      const stop = (signal: string) => {
        logger.info({ signal, drainMs }, 'shutting down');
        const force = setTimeout(() => {
          logger.error('shutdown did not finish in time: exiting');
          process.exit(1);
        }, drainMs + 10_000);
        force.unref();
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    },
    (error: unknown) => {
      console.error(
        JSON.stringify({ level: 'fatal', msg: `${what} failed to start`, err: String(error) }),
      );
      process.exit(1);
    },
  );
}
