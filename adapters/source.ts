import type { Knex } from 'knex';
import type { DatabaseName } from '../mocks/databases';

/** A national database did not answer, or not in time. Carries the name the client sees. */
export class SourceUnavailableError extends Error {
  constructor(
    readonly database: DatabaseName,
    cause: unknown,
  ) {
    super(`The ${database} database is unavailable`, { cause });
    this.name = 'SourceUnavailableError';
  }
}

/**
 * Calls made to each national database since the process started. Batching is the product's
 * promise, so tests and the benchmark read these counts rather than trusting it.
 */
export class CallCounter {
  private readonly counts = new Map<DatabaseName, number>();

  record(database: DatabaseName): void {
    this.counts.set(database, (this.counts.get(database) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  total(): number {
    let sum = 0;
    for (const value of this.counts.values()) sum += value;
    return sum;
  }
}

/** Process-wide call counts, exposed on /metrics. */
export const sourceCalls = new CallCounter();

/** Rejects after `ms` so that a stuck source cannot hold a request hostage. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  database: DatabaseName,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SourceUnavailableError(database, new Error(`timed out after ${ms} ms`))),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One national database reached over SQL: every read is one counted, time-bounded statement. */
export class SqlSource {
  constructor(
    readonly database: DatabaseName,
    private readonly knex: Knex,
    private readonly timeoutMs: number,
  ) {}

  /** Runs one statement with `?` placeholders and returns its rows. */
  async select<R>(sql: string, bindings: readonly unknown[]): Promise<R[]> {
    sourceCalls.record(this.database);
    try {
      const result = await withTimeout(
        this.knex.raw(sql, bindings as Knex.RawBinding[]),
        this.timeoutMs,
        this.database,
      );
      return (result as { rows: R[] }).rows;
    } catch (error) {
      if (error instanceof SourceUnavailableError) throw error;
      throw new SourceUnavailableError(this.database, error);
    }
  }

  /** Answers when the database does; used by /readyz. */
  async ping(): Promise<void> {
    await withTimeout(this.knex.raw('SELECT 1'), this.timeoutMs, this.database);
  }
}
