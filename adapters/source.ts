import type { Knex } from 'knex';
import type { DatabaseName } from './databases';

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

/** A statement in the driver's own form: `$n` placeholders and a name to prepare it under. */
interface Prepared {
  name: string;
  text: string;
}

/** The raw connection of either driver: node-postgres' Client or PGlite. */
interface RawConnection {
  query(
    config: { name: string; text: string; values: unknown[] } | string,
    values?: unknown[],
  ): Promise<{ rows: unknown[] }>;
}

/**
 * One national database reached over SQL: every read is one counted, time-bounded statement.
 * On PostgreSQL each distinct statement is prepared once per connection, so the server parses
 * and plans it once instead of on every request.
 */
export class SqlSource {
  private readonly prepared = new Map<string, Prepared>();
  private readonly usesPg: boolean;

  constructor(
    readonly database: DatabaseName,
    private readonly knex: Knex,
    private readonly timeoutMs: number,
  ) {
    this.usesPg = (knex.client as { config: { client?: unknown } }).config.client === 'pg';
  }

  private prepare(sql: string): Prepared {
    let statement = this.prepared.get(sql);
    if (!statement) {
      let index = 0;
      statement = {
        name: `${this.database}_${this.prepared.size}`,
        text: sql.replace(/\?/g, () => `$${++index}`),
      };
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  private async run<R>(sql: string, bindings: readonly unknown[]): Promise<R[]> {
    if (!this.usesPg) {
      const result = await this.knex.raw(sql, bindings as Knex.RawBinding[]);
      return (result as { rows: R[] }).rows;
    }
    const { name, text } = this.prepare(sql);
    const connection = (await this.knex.client.acquireConnection()) as RawConnection;
    try {
      const result = await connection.query({ name, text, values: bindings as unknown[] });
      return result.rows as R[];
    } finally {
      await this.knex.client.releaseConnection(connection);
    }
  }

  /** Runs one statement with `?` placeholders and returns its rows. */
  async select<R>(sql: string, bindings: readonly unknown[]): Promise<R[]> {
    sourceCalls.record(this.database);
    try {
      return await withTimeout(this.run<R>(sql, bindings), this.timeoutMs, this.database);
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
