import type { AuditEntryInput } from '../audit/types';
import type { Logger } from '../logger';

/**
 * The access log's record of requests refused before they named any data (no valid
 * credential, a spent budget). Each is logged, but a flood must not grow the log without
 * bound: per source (an address, or a client) and minute the first refusal is logged in full,
 * the rest are counted, and one aggregate entry with the count closes the minute.
 */
export interface RefusalLog {
  /** Logs (or counts) one refusal; never throws. */
  record(source: string, entry: AuditEntryInput): Promise<void>;
  /** Writes the pending aggregates now (at shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Sources tracked per minute; past this, refusals of new sources are counted together. */
const MAX_SOURCES = 10_000;
const OVERFLOW = '(other sources)';

interface Pending {
  first: AuditEntryInput;
  more: number;
}

/** Builds the refusal log over the access log's append. */
export function createRefusalLog(options: {
  append: (entry: AuditEntryInput) => Promise<void>;
  logger: Logger;
  windowMs?: number;
}): RefusalLog {
  const windowMs = options.windowMs ?? 60_000;
  let pending = new Map<string, Pending>();

  async function write(entry: AuditEntryInput): Promise<void> {
    try {
      await options.append(entry);
    } catch (error) {
      options.logger.error({ err: error, requestId: entry.requestId }, 'refusal not logged');
    }
  }

  async function flush(): Promise<void> {
    const closing = pending;
    pending = new Map();
    for (const { first, more } of closing.values()) {
      if (more === 0) continue;
      await write({
        ...first,
        requestId: `${first.requestId}+${more}`,
        operation: `${first.outcome} x${more} more in ${Math.round(windowMs / 1000)} s`,
        durationMs: 0,
      });
    }
  }

  const timer = setInterval(() => void flush(), windowMs);
  timer.unref();

  return {
    async record(source, entry) {
      const key = pending.has(source) || pending.size < MAX_SOURCES ? source : OVERFLOW;
      const seen = pending.get(key);
      if (seen) {
        seen.more += 1;
        return;
      }
      pending.set(key, { first: entry, more: 0 });
      await write(entry);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
