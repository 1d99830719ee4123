import pino from 'pino';

/** The process's JSON logger; one line per event, never personal data values. */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
    base: { service: 'national-data-gateway' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization'],
  });
}

export type Logger = pino.Logger;
