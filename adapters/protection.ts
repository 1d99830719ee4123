/**
 * Per-source protection, the one place that decides how long a national database may take
 * and when it is not asked at all. Every read of a source (SQL or HTTP) goes through its
 * SourceGuard: a request deadline shared by every batch of the request, a bulkhead sized to
 * the source's own pool, a circuit breaker, and a retry of safe reads within the deadline.
 *
 * Where the clock runs: the request deadline starts when the request's context is built and
 * bounds everything, queueing included. A call's own timeout (the source's `timeoutMs`) starts
 * only when it holds a bulkhead slot, that is a connection of the source's pool, so a source
 * that is merely busy is not reported slow, and a wait in the queue that outlives the deadline
 * is not held against the source by the breaker. Throughput is then bounded by the pool and
 * the source's speed, not by a timeout that expires in the queue.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ConstantBackoff,
  TaskCancelledError,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from 'cockatiel';
import { setMaxListeners } from 'node:events';
import type { DatabaseName } from './databases';

/** Why a source did not answer, in words an operator can act on. */
export type UnavailableReason = 'timed_out' | 'refused' | 'circuit_open' | 'overloaded' | 'failed';

/** A national database did not answer, or not in time. Carries the name the client sees. */
export class SourceUnavailableError extends Error {
  constructor(
    readonly database: DatabaseName,
    cause: unknown,
    readonly reason: UnavailableReason = 'failed',
    /** Whether the source is to blame (a breaker failure) and a retry may help. */
    readonly blame: { source: boolean; retryable: boolean } = { source: true, retryable: false },
  ) {
    super(`The ${database} database is unavailable (${reason})`, { cause });
    this.name = 'SourceUnavailableError';
  }
}

/**
 * The time left to a request for its reads of national databases. Its signal aborts when the
 * deadline passes while a call holds it: the clock is armed by the first call in flight and
 * disarmed when none is, so a request that is done leaves no timer behind to fire (and no
 * abort to dispatch) seconds after it answered.
 */
export class Deadline {
  readonly at: number;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private holds = 0;

  constructor(readonly budgetMs: number) {
    this.at = Date.now() + budgetMs;
  }

  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** Aborts when the deadline passes during a call (made on first use). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      // Every call of the request listens to it: dozens is normal, not a leak.
      setMaxListeners(0, this.controller.signal);
    }
    return this.controller.signal;
  }

  /** Arms the deadline for one call; the returned function ends that call's hold. */
  hold(): () => void {
    const signal = this.signal;
    this.holds += 1;
    if (!this.timer && !signal.aborted) {
      const left = this.remaining();
      if (left <= 0) this.expire();
      else this.timer = setTimeout(() => this.expire(), left);
    }
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.holds -= 1;
      if (this.holds === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  private expire(): void {
    this.timer = undefined;
    this.controller?.abort(new DOMException('The request deadline passed.', 'TimeoutError'));
  }
}

/** How one source is protected; see the README's configuration table. */
export interface SourceSettings {
  /** Longest one call may take once it holds a connection. */
  timeoutMs: number;
  /** Connections of its pool, and so calls in flight at once. */
  poolSize: number;
  /** Consecutive failures that open the breaker. */
  breakerFailures: number;
  /** How long the breaker stays open before one call probes the source. */
  breakerCooldownMs: number;
  /** Further attempts of a read that failed on a lost or refused connection. */
  retries: number;
}

/** Settings with no per-source override, derived from the gateway-wide ones. */
export function sourceSettings(
  database: DatabaseName,
  defaults: { sourceTimeoutMs: number; poolSize: number },
  overrides: Partial<SourceSettings> = {},
): SourceSettings {
  return {
    timeoutMs: defaults.sourceTimeoutMs,
    // The insurance service takes batches over HTTP with no connection cost of its own to us.
    poolSize: database === 'insurance' ? defaults.poolSize * 2 : defaults.poolSize,
    breakerFailures: 5,
    breakerCooldownMs: 5000,
    retries: 1,
    ...overrides,
  };
}

/** What a guarded call receives: when to give up, and how long it has. */
export interface CallBudget {
  /** Aborts when the call must stop (made on first use: an HTTP call passes it on). */
  readonly signal: AbortSignal;
  timeoutMs: number;
  /** Calls `listener` once when the call must stop; returns what removes it. */
  onAbort(listener: () => void): () => void;
}

/**
 * One call's cancellation: plain callbacks, and an AbortSignal only for a caller that asks for
 * one, since most calls (SQL statements) only need to be told, and a signal costs more to make
 * and to listen to than the call's own bookkeeping.
 */
class CallCancellation implements CallBudget {
  aborted = false;
  private controller: AbortController | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(readonly timeoutMs: number) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort();
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}

/** The circuit as /readyz names it. */
export type CircuitName = 'closed' | 'open' | 'half-open';

/** A retry waits this long, and is not tried with less than RETRY_FLOOR_MS left. */
const RETRY_BACKOFF_MS = 25;
const RETRY_FLOOR_MS = 100;

/** Error codes (Node, undici, PostgreSQL) that mean the connection could not be made. */
const REFUSED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
/** ...and those that mean an established connection was lost: a safe read may be repeated. */
const LOST = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  '57P01', // admin_shutdown (pg_terminate_backend)
  '57P02', // crash_shutdown
  '08000',
  '08003',
  '08006',
]);

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const value = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof value.code === 'string') codes.push(value.code);
    if (typeof value.message === 'string' && /Connection terminated/i.test(value.message))
      codes.push('08006');
    e = value.cause;
  }
  return codes;
}

/**
 * Guards the calls to one source. One instance per source for the process's life: its
 * breaker's state is what every request shares.
 */
export class SourceGuard {
  private readonly slots: BulkheadPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryPolicy;

  constructor(
    readonly database: DatabaseName,
    readonly settings: SourceSettings,
    onCircuit: (state: CircuitName) => void = () => undefined,
  ) {
    // The queue is bounded by the deadline of whoever waits in it, not by a length.
    this.slots = bulkhead(settings.poolSize, Number.MAX_SAFE_INTEGER);
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof SourceUnavailableError && error.blame.source),
      {
        halfOpenAfter: settings.breakerCooldownMs,
        breaker: new ConsecutiveBreaker(Math.max(1, settings.breakerFailures)),
      },
    );
    this.breaker.onStateChange((state) => onCircuit(circuitName(state)));
    this.retry = retry(
      handleWhen((error) => error instanceof SourceUnavailableError && error.blame.retryable),
      { maxAttempts: settings.retries, backoff: new ConstantBackoff(RETRY_BACKOFF_MS) },
    );
  }

  get circuit(): CircuitName {
    return circuitName(this.breaker.state);
  }

  /** Calls in flight and waiting, for /readyz and the tests. */
  get load(): { active: number; queued: number } {
    return { active: this.slots.executionSlots, queued: this.slots.queueSlots };
  }

  /**
   * Runs `call` within the deadline: at once SOURCE_UNAVAILABLE (circuit_open) while the
   * breaker is open or probing, else through the bulkhead with the time that is left.
   */
  async run<T>(deadline: Deadline, call: (budget: CallBudget) => Promise<T>): Promise<T> {
    if (this.breaker.state === CircuitState.HalfOpen) throw this.circuitOpen();
    try {
      return await this.breaker.execute(() =>
        this.retry.execute(() => this.attempt(deadline, call)),
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.circuitOpen();
      throw error;
    }
  }

  private circuitOpen(): SourceUnavailableError {
    return new SourceUnavailableError(this.database, undefined, 'circuit_open', {
      source: false,
      retryable: false,
    });
  }

  /**
   * A call that ran out of time. The source is blamed (a breaker failure) only when it had a
   * fair share of its own timeout: not for a wait in the queue, nor for the last moments of a
   * deadline that other sources used up.
   */
  private timedOut(waiting: boolean, budgetMs = 0): SourceUnavailableError {
    const where = waiting ? 'waiting for a connection' : `answering within ${budgetMs} ms`;
    return new SourceUnavailableError(
      this.database,
      new Error(`deadline reached while ${where}`),
      'timed_out',
      { source: !waiting && budgetMs * 2 >= this.settings.timeoutMs, retryable: false },
    );
  }

  private attempt<T>(deadline: Deadline, call: (budget: CallBudget) => Promise<T>): Promise<T> {
    if (deadline.remaining() <= 0) return Promise.reject(this.timedOut(true));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // The call's own cancellation, once it holds a slot; the deadline cancels it too.
      let controller: CallCancellation | undefined;
      let budgetMs: number | undefined;
      const release = deadline.hold();
      const finish = (error: unknown, value?: T) => {
        if (settled) return;
        settled = true;
        deadline.signal.removeEventListener('abort', onDeadline);
        release();
        if (error === undefined) resolve(value as T);
        else reject(error);
      };
      const onDeadline = () => {
        controller?.abort();
        finish(this.timedOut(budgetMs === undefined, budgetMs));
      };
      deadline.signal.addEventListener('abort', onDeadline);

      // The slot is held until the call settles, cancelled or not, so that the bulkhead
      // never admits more calls than the pool has connections; the caller is answered at
      // its deadline or timeout whichever comes first.
      this.slots
        .execute(async () => {
          const timeoutMs = Math.min(this.settings.timeoutMs, deadline.remaining());
          if (timeoutMs <= 0) throw this.timedOut(true);
          budgetMs = timeoutMs;
          const own = new CallCancellation(timeoutMs);
          controller = own;
          // The deadline may have passed while this call waited for its slot.
          if (deadline.signal.aborted) own.abort();
          const timer = setTimeout(() => {
            own.abort();
            finish(this.timedOut(false, timeoutMs));
          }, timeoutMs);
          try {
            return await call(own);
          } catch (error) {
            throw this.classify(error, own.aborted, deadline, timeoutMs);
          } finally {
            clearTimeout(timer);
          }
        }, deadline.signal)
        .then(
          (value) => finish(undefined, value),
          (error: unknown) => {
            if (error instanceof TaskCancelledError) finish(this.timedOut(true));
            else if (error instanceof BulkheadRejectedError)
              finish(new SourceUnavailableError(this.database, error, 'overloaded'));
            else finish(error);
          },
        );
    });
  }

  /** Names the failure of one call; a lost or refused connection may be retried in time. */
  private classify(
    error: unknown,
    aborted: boolean,
    deadline: Deadline,
    budgetMs: number,
  ): SourceUnavailableError {
    if (error instanceof SourceUnavailableError) return error;
    const codes = codesOf(error);
    const retryable = deadline.remaining() > RETRY_FLOOR_MS;
    if (aborted || codes.includes('57014')) return this.timedOut(false, budgetMs);
    if (codes.some((code) => REFUSED.has(code)))
      return new SourceUnavailableError(this.database, error, 'refused', {
        source: true,
        retryable,
      });
    if (codes.some((code) => LOST.has(code)))
      return new SourceUnavailableError(this.database, error, 'failed', {
        source: true,
        retryable,
      });
    return new SourceUnavailableError(this.database, error, 'failed');
  }
}

function circuitName(state: CircuitState): CircuitName {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}
