import net from 'node:net';
import type { Knex } from 'knex';
import type { DatabaseName } from './databases';
import { Deadline, SourceUnavailableError, type CallBudget, type SourceGuard } from './protection';

export { SourceUnavailableError };

/**
 * Calls made to each national database since the process started. Batching is the product's
 * promise, so tests and the benchmark read these counts rather than trusting it.
 */
export class CallCounter {
  private readonly counts = new Map<DatabaseName, number>();
  private readonly listeners: CallListener[] = [];

  record(database: DatabaseName): void {
    this.counts.set(database, (this.counts.get(database) ?? 0) + 1);
  }

  /**
   * Counts one call of a batch of `keys` keys as it starts; the function returned tells the
   * listeners how it went (null when it answered, else the error or the reason).
   */
  begin(database: DatabaseName, keys: number): (error: unknown) => void {
    this.record(database);
    const started = process.hrtime.bigint();
    return (error: unknown) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const failure =
        error === null
          ? null
          : typeof error === 'string'
            ? error
            : error instanceof SourceUnavailableError
              ? error.reason
              : 'failed';
      for (const listener of this.listeners) listener({ database, keys, seconds, failure });
    };
  }

  /** Counts one call of a batch of `keys` keys and tells the listeners how it went. */
  async track<T>(database: DatabaseName, keys: number, call: () => Promise<T>): Promise<T> {
    const done = this.begin(database, keys);
    try {
      const result = await call();
      done(null);
      return result;
    } catch (error) {
      done(error);
      throw error;
    }
  }

  /** Adds a listener of every call (the metrics); returns what removes it. */
  listen(listener: CallListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
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

/** One call to a national database, as the metrics see it. */
export interface CallEvent {
  database: DatabaseName;
  /** Keys in the batch: one DataLoader batch is one call. */
  keys: number;
  seconds: number;
  /** Null when it answered; else the reason (`timed_out`, `circuit_open`, ...). */
  failure: string | null;
}
export type CallListener = (event: CallEvent) => void;

/** Process-wide call counts, exposed on /metrics. */
export const sourceCalls = new CallCounter();

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
  /** node-postgres only: what a cancel request names, and the socket to drop. */
  processID?: number;
  secretKey?: number;
  host?: string;
  port?: number;
  connection?: { stream?: { destroy(): void } };
}

/** How long a cancelled statement may take to stop before its connection is dropped. */
const CANCEL_GRACE_MS = 500;

/**
 * Asks the server to cancel what a connection is running (the protocol's CancelRequest, on a
 * connection of its own, as psql does on ^C): the statement stops, the connection stays.
 */
function cancelOnServer(connection: RawConnection): void {
  if (connection.processID == null || connection.secretKey == null) return;
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(connection.processID, 8);
  message.writeInt32BE(connection.secretKey, 12);
  const socket = net.connect(connection.port ?? 5432, connection.host ?? '127.0.0.1');
  socket.setTimeout(CANCEL_GRACE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('connect', () => socket.end(message));
}

/** What an adapter reads through: one statement, its rows. */
export interface SqlReader {
  select<R>(sql: string, bindings: readonly unknown[]): Promise<R[]>;
}

/**
 * One national database reached over SQL: every read is one counted statement, guarded by the
 * source's protection (deadline, bulkhead, breaker, retry). A statement that runs out of time
 * is cancelled on the server, not left running for an answer nobody waits for. On PostgreSQL
 * each distinct statement is prepared once per connection, so the server parses and plans it
 * once instead of on every request.
 */
export class SqlSource implements SqlReader {
  private readonly prepared = new Map<string, Prepared>();
  private readonly usesPg: boolean;

  constructor(
    readonly database: DatabaseName,
    private readonly knex: Knex,
    readonly guard: SourceGuard,
    /** The deadline of a read made outside any request. */
    private readonly defaultDeadlineMs: number,
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

  /**
   * Runs one statement on a connection of the pool. One abort listener serves both phases:
   * while waiting for a connection it gives up (the connection is released on arrival), while
   * the statement runs it cancels it on the server.
   */
  private run<R>(
    sql: string,
    bindings: readonly unknown[],
    budget: Pick<CallBudget, 'onAbort'>,
  ): Promise<R[]> {
    if (!this.usesPg) {
      // PGlite runs in this process: nothing to cancel, the guard answers at the deadline.
      return this.knex
        .raw(sql, bindings as Knex.RawBinding[])
        .then((result) => (result as { rows: R[] }).rows);
    }
    const { name, text } = this.prepare(sql);
    return new Promise<R[]>((resolve, reject) => {
      let connection: RawConnection | null = null;
      let abandoned = false;
      let grace: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (!connection) {
          abandoned = true;
          reject(new Error('no connection before the deadline'));
          return;
        }
        cancelOnServer(connection);
        // A server that does not hear the cancel (a silent network) loses the connection instead.
        const held = connection;
        grace = setTimeout(() => held.connection?.stream?.destroy(), CANCEL_GRACE_MS);
      };
      const stopListening = budget.onAbort(onAbort);
      if (abandoned) return;
      const release = (held: RawConnection) => {
        stopListening();
        clearTimeout(grace);
        return this.knex.client.releaseConnection(held) as Promise<void>;
      };
      (this.knex.client.acquireConnection() as Promise<RawConnection>).then(
        (held) => {
          if (abandoned) {
            void release(held);
            return;
          }
          connection = held;
          held.query({ name, text, values: bindings as unknown[] }).then(
            (result) => release(held).then(() => resolve(result.rows as R[]), reject),
            (error: unknown) =>
              release(held).then(
                () => reject(error),
                () => reject(error),
              ),
          );
        },
        (error: unknown) => {
          stopListening();
          reject(error);
        },
      );
    });
  }

  /** Runs one statement with `?` placeholders and returns its rows. */
  select<R>(sql: string, bindings: readonly unknown[], deadline?: Deadline): Promise<R[]> {
    const keys = Array.isArray(bindings[0]) ? bindings[0].length : 1;
    return sourceCalls.track(this.database, keys, () =>
      this.guard.run(deadline ?? new Deadline(this.defaultDeadlineMs), (budget) =>
        this.run<R>(sql, bindings, budget),
      ),
    );
  }

  /** This source with every read bound to one request's deadline. */
  within(deadline: Deadline): SqlReader {
    return { select: (sql, bindings) => this.select(sql, bindings, deadline) };
  }

  /** Answers when the database does, bypassing the breaker; used by /readyz. */
  async ping(signal: AbortSignal): Promise<void> {
    await this.run('SELECT 1', [], {
      onAbort: (listener) => {
        if (signal.aborted) {
          listener();
          return () => undefined;
        }
        signal.addEventListener('abort', listener, { once: true });
        return () => signal.removeEventListener('abort', listener);
      },
    });
  }
}
