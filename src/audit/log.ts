import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import type { Knex } from 'knex';
import { canonicalTimestamp, entryHash, normaliseEntry, type NormalisedEntry } from './canonical';
import { AuditInputError, AuditUnavailableError } from './errors';
import { keyIdOf, signCheckpoint, signingKeyFrom, toPublicKey, type AuditSigningKey } from './keys';
import { ensureAuditPartitions } from './migrations';
import {
  ENTRY_COLUMNS,
  decodeCursor,
  encodeCursor,
  rowsOf,
  textArrayLiteral,
  toRecord,
  type EntryRow,
} from './rows';
import {
  AUDIT_OUTCOMES,
  type AuditChainReport,
  type AuditCheckpoint,
  type AuditEntryInput,
  type AuditOutcome,
  type AuditPage,
  type AuditPageRequest,
  type AuditQueryFilter,
  type AuditRecord,
  type AuditStatsRow,
  type AuditTimeRange,
  type AuditWitnessing,
  type AuditWitnessStatus,
  type AuditWriterCounters,
} from './types';
import { verifyChain, type VerifyOptions } from './verify';

/** Options of `AuditLog`. */
export interface AuditLogOptions {
  /** Signs checkpoints; without it the log is read-only (verify, query, export). */
  signingKey?: AuditSigningKey | KeyObject | string;
  /** Further public keys whose checkpoints verify (retired signing keys, other replicas' keys). */
  verificationKeys?: (KeyObject | string)[];
  /** Sign a checkpoint at least every this many entries (default 1,000). */
  checkpointEvery?: number;
  /** ...and at least this often while entries arrive (default 60 s). */
  checkpointIntervalMs?: number;
  /** How long the first entry of a batch waits for company (default 2 ms). */
  flushIntervalMs?: number;
  /** Entries per transaction (default 500, at most 3,000: PostgreSQL's bind parameter limit). */
  maxBatch?: number;
  /** Entries waiting beyond this are refused at once instead of queuing (default 50,000). */
  maxPending?: number;
  /** An append not committed within this time fails with AUDIT_UNAVAILABLE (default 5 s). */
  writeTimeoutMs?: number;
  /** How often to create next months' partitions (default 6 h; 0 to leave it to migrations). */
  partitionMaintenanceMs?: number;
  /** Failures of background work (checkpoints, partitions, failed batches), for the server log. */
  onError?: (error: Error) => void;
  /** Witnesses outside the log's database: each checkpoint goes to them, and verify asks them. */
  witnessing?: AuditWitnessing;
}

/** Export formats. */
export type AuditExportFormat = 'ndjson' | 'csv';

/** What to export: entries logged in [from, to), in chain order. */
export interface AuditExportOptions {
  from: Date;
  to: Date;
  format: AuditExportFormat;
}

interface Pending {
  entry: NormalisedEntry;
  resolve(record: AuditRecord): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  settled: boolean;
}

interface HeadRow {
  seq: string;
  hash: string;
  checkpoint_seq: string;
  checkpoint_at: Date | null;
}

/** A batch chained onto a head, ready to store. */
interface ChainedBatch {
  records: AuditRecord[];
  /** Stores the batch, under the chain lock. */
  sql: string;
  /** Stores the batch only if the head is unchanged (its seq and hash follow the head bindings). */
  guardedSql: string;
  entryBindings: unknown[];
  checkpointBindings: unknown[];
  headBindings: unknown[];
  checkpoint: AuditCheckpoint | null;
  /** The chain's head once the batch is stored. */
  head: HeadRow;
}

/** The advisory lock every writer of one database takes, so replicas extend one chain in turn. */
export const AUDIT_CHAIN_LOCK_KEY = 7_305_801_001;
const MAX_BATCH = 3000;
const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;
const EXPORT_PAGE = 1000;

const ENTRY_INSERT_COLUMNS =
  '(seq, request_id, at, client_id, actor, purpose, case_id, operation, document_hash, ' +
  'subjects, fields, denied, outcome, duration_ms, restricted_until, previous_hash, hash, client_request_id, provider_entries)';
const ENTRY_VALUES =
  '(?::bigint, ?, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?::text[], ?::text[], ?::text[], ?, ?::integer, ?::timestamptz, ?, ?, ?, ?::text[])';

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min)
    throw new Error(`AuditLog: ${name} must be >= ${min}`);
  return value;
}

function checkDate(name: string, value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new AuditInputError(`${name}: a valid date-time is required`);
  }
  return value;
}

function checkText(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new AuditInputError(`${name}: a string of 1 to 200 characters is required`);
  }
  return value;
}

function pageSize(first: number | undefined): number {
  if (first === undefined || first === null) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) {
    throw new AuditInputError(`first: an integer from 0 to ${MAX_PAGE} is required`);
  }
  return first;
}

const CSV_COLUMNS = [
  'seq',
  'request_id',
  'at',
  'client_id',
  'actor',
  'purpose',
  'case_id',
  'operation',
  'document_hash',
  'subjects',
  'fields',
  'denied',
  'outcome',
  'duration_ms',
  'restricted_until',
  'previous_hash',
  'hash',
  'client_request_id',
];

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // A leading =, +, - or @ makes spreadsheets evaluate the cell as a formula.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(record: AuditRecord): string {
  return `${[
    record.seq,
    record.requestId,
    record.at.toISOString(),
    record.clientId,
    record.actor,
    record.purpose,
    record.caseId,
    record.operation,
    record.documentHash,
    record.subjects.join(' '),
    record.fields.join(' '),
    record.denied.join(' '),
    record.outcome,
    record.durationMs,
    record.restrictedUntil?.toISOString() ?? null,
    record.previousHash,
    record.hash,
    record.clientRequestId ?? null,
  ]
    .map(csvCell)
    .join(',')}\r\n`;
}

/**
 * The gateway's tamper-evident access log (after X-Road's message log). Entries are written in
 * group commits, hash-chained, and the chain's head is signed at intervals; `append` resolves
 * only once its entry is committed, so a caller can release data after it and never before.
 */
export class AuditLog {
  private readonly signer: AuditSigningKey | null;
  private readonly keys = new Map<string, KeyObject>();
  private readonly checkpointEvery: bigint;
  private readonly checkpointIntervalMs: number;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;
  private readonly writeTimeoutMs: number;
  private readonly partitionMaintenanceMs: number;
  private readonly onError: (error: Error) => void;
  private readonly witnessing: AuditWitnessing | null;

  private queue: Pending[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  /** The head this writer last stored; null until its first batch or after another writer's. */
  private head: HeadRow | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private partitionTimer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly counters: Omit<AuditWriterCounters, 'pending'> = {
    appended: 0,
    failed: 0,
    batches: 0,
    failedBatches: 0,
    checkpoints: 0,
  };

  constructor(
    private readonly knex: Knex,
    options: AuditLogOptions = {},
  ) {
    const key = options.signingKey;
    this.signer =
      key === undefined
        ? null
        : typeof key === 'object' && 'keyId' in key
          ? key
          : signingKeyFrom(key as KeyObject | string);
    if (this.signer) this.keys.set(this.signer.keyId, this.signer.publicKey);
    for (const extra of options.verificationKeys ?? []) {
      const publicKey = toPublicKey(extra);
      this.keys.set(keyIdOf(publicKey), publicKey);
    }
    this.checkpointEvery = BigInt(
      Math.floor(positive('checkpointEvery', options.checkpointEvery, 1000)),
    );
    this.checkpointIntervalMs = positive(
      'checkpointIntervalMs',
      options.checkpointIntervalMs,
      60_000,
    );
    this.flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs, 2, 0);
    this.maxBatch = Math.min(Math.floor(positive('maxBatch', options.maxBatch, 500)), MAX_BATCH);
    this.maxPending = positive('maxPending', options.maxPending, 50_000);
    this.writeTimeoutMs = positive('writeTimeoutMs', options.writeTimeoutMs, 5000);
    this.partitionMaintenanceMs = positive(
      'partitionMaintenanceMs',
      options.partitionMaintenanceMs,
      6 * 3600_000,
      0,
    );
    this.onError = options.onError ?? (() => undefined);
    this.witnessing = options.witnessing ?? null;
  }

  /** The id of the key that signs this writer's checkpoints, or null when read-only. */
  get keyId(): string | null {
    return this.signer?.keyId ?? null;
  }

  /** The database the log is in, for read-only reports beside it (`AuditInsights`). */
  get database(): Knex {
    return this.knex;
  }

  /**
   * Logs one access. Resolves with the committed record once the transaction that holds it has
   * committed; rejects with `AuditUnavailableError` when it could not be (nothing is logged
   * then, unless a commit outlived its timeout), or `AuditInputError` for a malformed entry.
   */
  append(input: AuditEntryInput): Promise<AuditRecord> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('the access log is closed'));
    if (!this.signer) {
      return Promise.reject(
        new Error('this AuditLog has no signing key and is read-only: it cannot append'),
      );
    }
    let entry: NormalisedEntry;
    try {
      entry = normaliseEntry(input);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.queue.length >= this.maxPending) {
      this.counters.failed += 1;
      return Promise.reject(
        new AuditUnavailableError('the access log is falling behind: too many entries waiting'),
      );
    }
    this.start();
    return new Promise<AuditRecord>((resolve, reject) => {
      const pending: Pending = {
        entry,
        resolve,
        reject,
        settled: false,
        timer: setTimeout(() => {
          // Still queued: withdraw it, so it is neither logged nor released. Already in a
          // transaction: it may yet commit, which logs an access that was not released (safe).
          const index = this.queue.indexOf(pending);
          if (index >= 0) this.queue.splice(index, 1);
          this.settle(
            pending,
            new AuditUnavailableError(
              `the access log did not commit within ${this.writeTimeoutMs} ms`,
            ),
          );
        }, this.writeTimeoutMs),
      };
      this.queue.push(pending);
      this.scheduleFlush();
    });
  }

  /** Resolves once every entry appended so far has been written (or has failed). */
  async flush(): Promise<void> {
    this.startDrain();
    while (this.draining) await this.draining;
  }

  /**
   * Signs the current head now, if entries were added since the last checkpoint. With
   * `ifOlderThanMs`, only when the last checkpoint is at least that old.
   */
  async checkpoint(options: { ifOlderThanMs?: number } = {}): Promise<AuditCheckpoint | null> {
    const signer = this.requireSigner();
    try {
      const checkpoint = await this.writeCheckpoint(signer, options.ifOlderThanMs);
      if (checkpoint) this.witnessing?.onCheckpoint(checkpoint);
      return checkpoint;
    } catch (error) {
      throw new AuditUnavailableError('the checkpoint could not be written', { cause: error });
    }
  }

  private async writeCheckpoint(
    signer: AuditSigningKey,
    ifOlderThanMs: number | undefined,
  ): Promise<AuditCheckpoint | null> {
    return this.knex.transaction(async (trx) => {
      const head = await this.lockHead(trx);
      const now = new Date();
      if (BigInt(head.seq) <= BigInt(head.checkpoint_seq)) return null;
      if (
        ifOlderThanMs !== undefined &&
        head.checkpoint_at !== null &&
        now.getTime() - new Date(head.checkpoint_at).getTime() < ifOlderThanMs
      ) {
        return null;
      }
      const checkpoint = this.sign(signer, head.seq, head.hash, now);
      await trx.raw(
        `WITH checkpoint AS (
           INSERT INTO audit.checkpoints (seq, hash, at, key_id, signature)
           VALUES (?::bigint, ?, ?::timestamptz, ?, ?))
         UPDATE audit.head SET checkpoint_seq = ?::bigint, checkpoint_at = ?::timestamptz`,
        [...this.checkpointBindings(checkpoint), checkpoint.seq, canonicalTimestamp(now)],
      );
      this.counters.checkpoints += 1;
      return checkpoint;
    });
  }

  /** Recomputes the chain (all of it, or the entries logged in [from, to)); see `verifyChain`. */
  async verify(options: VerifyOptions = {}): Promise<AuditChainReport> {
    checkDate('from', options.from);
    checkDate('to', options.to);
    const report = await this.reading(() => verifyChain(this.knex, this.keys, options));
    // Witnesses vouch for the newest entries: they are asked when the range reaches the head.
    if (!this.witnessing || options.to !== undefined) return report;
    return this.witnessing.check(report);
  }

  /** Each configured witness: up or down, checkpoints waiting for it, how far it has seen. */
  witnessStatus(): AuditWitnessStatus[] {
    return this.witnessing?.status() ?? [];
  }

  /** Entries matching the filter, newest first, a page at a time (the auditor's view). */
  async query(filter: AuditQueryFilter = {}, page: AuditPageRequest = {}): Promise<AuditPage> {
    const first = pageSize(page.first);
    const after = page.after ? decodeCursor(page.after) : null;
    const clientId = checkText('clientId', filter.clientId);
    const subjectId = checkText('subjectId', filter.subjectId);
    const purpose = checkText('purpose', filter.purpose);
    const caseId = checkText('caseId', filter.caseId);
    const from = checkDate('from', filter.from);
    const to = checkDate('to', filter.to);
    if (filter.outcome !== undefined && !AUDIT_OUTCOMES.includes(filter.outcome)) {
      throw new AuditInputError(`outcome: one of ${AUDIT_OUTCOMES.join(', ')} is required`);
    }
    return this.reading(() =>
      this.page(first, after, (query) => {
        if (clientId !== undefined) query.where('client_id', clientId);
        if (subjectId !== undefined) query.whereRaw('subjects @> ARRAY[?]::text[]', [subjectId]);
        if (purpose !== undefined) query.where('purpose', purpose);
        if (caseId !== undefined) query.where('case_id', caseId);
        if (from) query.whereRaw('at >= ?::timestamptz', [from.toISOString()]);
        if (to) query.whereRaw('at < ?::timestamptz', [to.toISOString()]);
        if (filter.outcome !== undefined) query.where('outcome', filter.outcome);
      }),
    );
  }

  /**
   * The accesses to one person's data, newest first (the citizen's view, like Estonia's Data
   * Tracker). Entries restricted until a moment after `now` are left out.
   */
  async accessesOf(
    subjectId: string,
    page: AuditPageRequest = {},
    options: { now?: Date } = {},
  ): Promise<AuditPage> {
    const subject = checkText('subjectId', subjectId) as string;
    const first = pageSize(page.first);
    const after = page.after ? decodeCursor(page.after) : null;
    const now = checkDate('now', options.now) ?? new Date();
    return this.reading(() =>
      this.page(first, after, (query) => {
        query.whereRaw('subjects @> ARRAY[?]::text[]', [subject]);
        query.whereRaw('(restricted_until IS NULL OR restricted_until <= ?::timestamptz)', [
          now.toISOString(),
        ]);
      }),
    );
  }

  /**
   * Entries over [from, to) whose released fields include `coordinate`, counted per purpose and
   * per the first three characters of the entry's first subject: aggregates for statistics (how
   * many pre-filled forms per procedure and province), no identifier leaves.
   */
  async countsWithField(
    coordinate: string,
    range: AuditTimeRange = {},
  ): Promise<{ purpose: string | null; subjectPrefix: string | null; count: number }[]> {
    const field = checkText('coordinate', coordinate) as string;
    const from = checkDate('from', range.from);
    const to = checkDate('to', range.to);
    const rows = await this.reading(() => {
      const query = this.knex
        .withSchema('audit')
        .from('entries')
        .select(
          'purpose',
          this.knex.raw('left(subjects[1], 3) AS subject_prefix'),
          this.knex.raw('count(*)::int AS count'),
        )
        .whereRaw('fields @> ARRAY[?]::text[]', [field])
        .groupByRaw('1, 2')
        .orderByRaw('1, 2');
      if (from) query.whereRaw('at >= ?::timestamptz', [from.toISOString()]);
      if (to) query.whereRaw('at < ?::timestamptz', [to.toISOString()]);
      return query as Promise<
        { purpose: string | null; subject_prefix: string | null; count: number }[]
      >;
    });
    return rows.map((row) => ({
      purpose: row.purpose,
      subjectPrefix: row.subject_prefix,
      count: Number(row.count),
    }));
  }

  /** Totals per client and purpose over [from, to), by outcome and with refusals counted. */
  async stats(range: AuditTimeRange = {}): Promise<AuditStatsRow[]> {
    const from = checkDate('from', range.from);
    const to = checkDate('to', range.to);
    const rows = await this.reading(() => {
      const query = this.knex
        .withSchema('audit')
        .from('entries')
        .select(
          'client_id',
          'purpose',
          'outcome',
          this.knex.raw('count(*)::text AS total'),
          this.knex.raw(
            `count(*) FILTER (WHERE outcome IN ('DENIED', 'UNAUTHENTICATED')
               OR cardinality(denied) > 0)::text AS refused`,
          ),
          this.knex.raw('coalesce(sum(cardinality(denied)), 0)::text AS denied_fields'),
        )
        .groupBy('client_id', 'purpose', 'outcome')
        .orderBy([{ column: 'client_id' }, { column: 'purpose', nulls: 'first' }]);
      if (from) query.whereRaw('at >= ?::timestamptz', [from.toISOString()]);
      if (to) query.whereRaw('at < ?::timestamptz', [to.toISOString()]);
      return query as Promise<
        {
          client_id: string;
          purpose: string | null;
          outcome: AuditOutcome;
          total: string;
          refused: string;
          denied_fields: string;
        }[]
      >;
    });
    const byKey = new Map<string, AuditStatsRow>();
    for (const row of rows) {
      const key = JSON.stringify([row.client_id, row.purpose]);
      let stats = byKey.get(key);
      if (!stats) {
        stats = {
          clientId: row.client_id,
          purpose: row.purpose,
          total: 0,
          byOutcome: Object.fromEntries(AUDIT_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
            AuditOutcome,
            number
          >,
          refused: 0,
          deniedFields: 0,
        };
        byKey.set(key, stats);
      }
      stats.total += Number(row.total);
      stats.byOutcome[row.outcome] += Number(row.total);
      stats.refused += Number(row.refused);
      stats.deniedFields += Number(row.denied_fields);
    }
    return [...byKey.values()];
  }

  /**
   * Streams the entries logged in [from, to), in chain order, as NDJSON (one record per line,
   * re-verifiable) or CSV (for spreadsheets), honouring back-pressure. Does not end `writable`.
   * Returns the number of entries written.
   */
  async export(options: AuditExportOptions, writable: NodeJS.WritableStream): Promise<number> {
    const from = checkDate('from', options.from);
    const to = checkDate('to', options.to);
    if (!from || !to) throw new AuditInputError('from and to are required');
    if (options.format !== 'ndjson' && options.format !== 'csv') {
      throw new AuditInputError('format: ndjson or csv is required');
    }
    const write = async (chunk: string) => {
      if (!writable.write(chunk)) await once(writable, 'drain');
    };
    const fromText = from.toISOString();
    const toText = to.toISOString();
    // The time range becomes a seq range once, then pages follow the primary key.
    const [range] = await this.reading(() =>
      rowsOf<{ lo: string | null; hi: string | null }>(
        this.knex.raw(
          `SELECT min(seq)::text AS lo, max(seq)::text AS hi FROM audit.entries
            WHERE at >= ?::timestamptz AND at < ?::timestamptz`,
          [fromText, toText],
        ),
      ),
    );
    if (options.format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
    if (range.lo === null || range.hi === null) return 0;
    let count = 0;
    let after: EntryRow | null = null;
    for (;;) {
      const bindings = [range.lo, range.hi, fromText, toText];
      if (after) bindings.push(after.seq, after.at_text);
      const rows: EntryRow[] = await this.reading(() =>
        rowsOf<EntryRow>(
          this.knex.raw(
            `SELECT ${ENTRY_COLUMNS} FROM audit.entries
              WHERE seq >= ? AND seq <= ? AND at >= ?::timestamptz AND at < ?::timestamptz
                ${after ? 'AND (seq, at) > (?::bigint, ?::timestamptz)' : ''}
              ORDER BY entries.seq, entries.at LIMIT ${EXPORT_PAGE}`,
            bindings,
          ),
        ),
      );
      for (const row of rows) {
        const record = toRecord(row);
        await write(options.format === 'csv' ? csvLine(record) : `${JSON.stringify(record)}\n`);
      }
      count += rows.length;
      if (rows.length < EXPORT_PAGE) return count;
      after = rows[rows.length - 1];
    }
  }

  /** The writer's counters since this log was opened. */
  writerCounters(): AuditWriterCounters {
    return { ...this.counters, pending: this.queue.length };
  }

  /**
   * Writes what is pending, signs a final checkpoint if this writer appended anything, and stops
   * the timers. Appends after `close` fail with `AuditUnavailableError`. Does not destroy knex.
   */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const timer of [this.checkpointTimer, this.partitionTimer]) {
      if (timer) clearInterval(timer);
    }
    this.checkpointTimer = null;
    this.partitionTimer = null;
    await this.flush();
    if (this.signer && this.started) {
      await this.checkpoint().catch((error: Error) => this.onError(error));
    }
    await this.witnessing?.close();
  }

  private requireSigner(): AuditSigningKey {
    if (!this.signer) throw new Error('this AuditLog has no signing key and is read-only');
    return this.signer;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    // Ticking at most a second apart keeps the gap between checkpoints near the interval.
    this.checkpointTimer = setInterval(
      () => {
        this.checkpoint({ ifOlderThanMs: this.checkpointIntervalMs }).catch((error: Error) =>
          this.onError(error),
        );
      },
      Math.min(this.checkpointIntervalMs, 1000),
    );
    this.checkpointTimer.unref();
    if (this.partitionMaintenanceMs > 0) {
      this.partitionTimer = setInterval(() => {
        ensureAuditPartitions(this.knex).then(
          (result) => {
            for (const failure of result.failed) {
              this.onError(new Error(`audit partition ${failure.name}: ${failure.error}`));
            }
          },
          (error: unknown) => this.onError(error as Error),
        );
      }, this.partitionMaintenanceMs);
      this.partitionTimer.unref();
    }
  }

  private scheduleFlush(): void {
    // A running drain picks the new entries up as soon as its transaction commits.
    if (this.draining) return;
    if (this.queue.length >= this.maxBatch) {
      this.startDrain();
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.startDrain();
    }, this.flushIntervalMs);
  }

  private startDrain(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.draining || this.queue.length === 0) return;
    this.draining = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.writeBatch(this.queue.splice(0, this.maxBatch));
    } finally {
      this.draining = null;
    }
  }

  private settle(pending: Pending, outcome: AuditRecord | Error): void {
    if (pending.settled) return;
    pending.settled = true;
    clearTimeout(pending.timer);
    if (outcome instanceof Error) {
      this.counters.failed += 1;
      pending.reject(outcome);
    } else {
      this.counters.appended += 1;
      pending.resolve(outcome);
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    let records: AuditRecord[];
    try {
      records = await this.writeTransaction(batch.map((pending) => pending.entry));
      this.counters.batches += 1;
    } catch (error) {
      this.counters.failedBatches += 1;
      const failure = new AuditUnavailableError('the access log could not be written', {
        cause: error,
      });
      this.onError(failure);
      for (const pending of batch) this.settle(pending, failure);
      return;
    }
    batch.forEach((pending, index) => this.settle(pending, records[index]));
  }

  private async lockHead(trx: Knex.Transaction): Promise<HeadRow> {
    // The timeout bounds everything after the lock; the lock wait is bounded by the session's.
    await trx.raw(`SELECT set_config('statement_timeout', ?, true), pg_advisory_xact_lock(?)`, [
      String(this.writeTimeoutMs),
      AUDIT_CHAIN_LOCK_KEY,
    ]);
    const [head] = await rowsOf<HeadRow>(
      trx.raw(
        'SELECT seq::text AS seq, hash, checkpoint_seq::text AS checkpoint_seq, checkpoint_at FROM audit.head',
      ),
    );
    if (!head) throw new Error('audit.head has no row: run migrateAudit');
    return head;
  }

  /**
   * One group commit. When this writer knows the chain's head (it wrote the last batch), the
   * batch goes in one statement that holds the head row and inserts only if the head is still
   * the one it chained onto: one round trip. Otherwise (first batch, or another replica wrote
   * in between) it takes the chain lock, reads the head and writes in a transaction.
   */
  private async writeTransaction(entries: NormalisedEntry[]): Promise<AuditRecord[]> {
    const known = this.head;
    if (known) {
      const batch = this.chain(known, entries);
      const stored = await rowsOf<{ seq: string }>(
        this.knex.raw(batch.guardedSql, [
          ...batch.headBindings,
          known.seq,
          known.hash,
          ...batch.entryBindings,
          ...batch.checkpointBindings,
        ] as Knex.RawBinding[]),
      );
      if (stored.length === 1) return this.committed(batch);
      this.head = null;
    }
    const batch = await this.knex.transaction(async (trx) => {
      const chained = this.chain(await this.lockHead(trx), entries);
      await trx.raw(chained.sql, [
        ...chained.entryBindings,
        ...chained.checkpointBindings,
        ...chained.headBindings,
      ] as Knex.RawBinding[]);
      return chained;
    });
    return this.committed(batch);
  }

  private committed(batch: ChainedBatch): AuditRecord[] {
    this.head = batch.head;
    if (batch.checkpoint) {
      this.counters.checkpoints += 1;
      this.witnessing?.onCheckpoint(batch.checkpoint);
    }
    return batch.records;
  }

  /** Chains a batch onto a head: the records, and the statement that stores them and the new head. */
  private chain(head: HeadRow, entries: NormalisedEntry[]): ChainedBatch {
    const signer = this.requireSigner();
    let seq = BigInt(head.seq);
    let previousHash = head.hash;
    const bindings: unknown[] = [];
    const records = entries.map((entry): AuditRecord => {
      seq += 1n;
      const hash = entryHash(entry, seq, previousHash);
      bindings.push(
        seq.toString(),
        entry.requestId,
        entry.atText,
        entry.clientId,
        entry.actor,
        entry.purpose,
        entry.caseId,
        entry.operation,
        entry.documentHash,
        textArrayLiteral(entry.subjects),
        textArrayLiteral(entry.fields),
        textArrayLiteral(entry.denied),
        entry.outcome,
        entry.durationMs,
        entry.restrictedUntilText,
        previousHash,
        hash,
        entry.clientRequestId,
        entry.providerEntries.length > 0 ? textArrayLiteral(entry.providerEntries) : null,
      );
      const record: AuditRecord = {
        seq: seq.toString(),
        requestId: entry.requestId,
        clientRequestId: entry.clientRequestId,
        at: entry.at,
        clientId: entry.clientId,
        actor: entry.actor,
        purpose: entry.purpose,
        caseId: entry.caseId,
        operation: entry.operation,
        documentHash: entry.documentHash,
        subjects: entry.subjects,
        fields: entry.fields,
        denied: entry.denied,
        outcome: entry.outcome,
        durationMs: entry.durationMs,
        restrictedUntil: entry.restrictedUntil,
        providerEntries: entry.providerEntries,
        previousHash,
        hash,
      };
      previousHash = hash;
      return record;
    });

    const now = new Date();
    const due =
      head.checkpoint_at === null ||
      seq - BigInt(head.checkpoint_seq) >= this.checkpointEvery ||
      now.getTime() - new Date(head.checkpoint_at).getTime() >= this.checkpointIntervalMs;
    const checkpoint = due ? this.sign(signer, seq.toString(), previousHash, now) : null;

    const values = entries.map(() => ENTRY_VALUES).join(', ');
    const headUpdate = `UPDATE audit.head SET seq = ?::bigint, hash = ?${
      checkpoint ? ', checkpoint_seq = ?::bigint, checkpoint_at = ?::timestamptz' : ''
    }`;
    const sql = `WITH entries AS (INSERT INTO audit.entries ${ENTRY_INSERT_COLUMNS} VALUES ${values})${
      checkpoint
        ? `, checkpoint AS (INSERT INTO audit.checkpoints (seq, hash, at, key_id, signature)
               VALUES (?::bigint, ?, ?::timestamptz, ?, ?))`
        : ''
    } ${headUpdate}`;
    // The same writes, done only if the head moves from the one the batch was chained onto and
    // no other writer holds the chain lock; the inserts read the update's result, which makes
    // PostgreSQL run the update first.
    const guardedSql = `WITH moved AS (${headUpdate}
        WHERE seq = ?::bigint AND hash = ? AND pg_try_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY}) RETURNING seq),
      entries AS (INSERT INTO audit.entries ${ENTRY_INSERT_COLUMNS}
        SELECT * FROM (VALUES ${values}) AS batch WHERE EXISTS (SELECT 1 FROM moved))${
          checkpoint
            ? `, checkpoint AS (INSERT INTO audit.checkpoints (seq, hash, at, key_id, signature)
               SELECT ?::bigint, ?, ?::timestamptz, ?, ? WHERE EXISTS (SELECT 1 FROM moved))`
            : ''
        }
      SELECT seq::text AS seq FROM moved`;
    const headBindings: unknown[] = [seq.toString(), previousHash];
    if (checkpoint) headBindings.push(checkpoint.seq, canonicalTimestamp(now));
    return {
      records,
      sql,
      guardedSql,
      entryBindings: bindings,
      checkpointBindings: checkpoint ? this.checkpointBindings(checkpoint) : [],
      headBindings,
      checkpoint,
      head: {
        seq: seq.toString(),
        hash: previousHash,
        checkpoint_seq: checkpoint ? checkpoint.seq : head.checkpoint_seq,
        checkpoint_at: checkpoint ? now : head.checkpoint_at,
      },
    };
  }

  private sign(signer: AuditSigningKey, seq: string, hash: string, at: Date): AuditCheckpoint {
    return {
      seq,
      hash,
      at,
      keyId: signer.keyId,
      signature: signCheckpoint(signer, seq, hash, canonicalTimestamp(at)),
    };
  }

  private checkpointBindings(checkpoint: AuditCheckpoint): string[] {
    return [
      checkpoint.seq,
      checkpoint.hash,
      canonicalTimestamp(checkpoint.at),
      checkpoint.keyId,
      checkpoint.signature,
    ];
  }

  /** Newest-first keyset paging on seq; `refine` adds the filters. */
  private async page(
    first: number,
    after: string | null,
    refine: (query: Knex.QueryBuilder) => void,
  ): Promise<AuditPage> {
    const query = this.knex
      .withSchema('audit')
      .from('entries')
      .select(this.knex.raw(ENTRY_COLUMNS))
      .orderBy('entries.seq', 'desc')
      .limit(first + 1);
    if (after !== null) query.where('entries.seq', '<', after);
    refine(query);
    const rows = (await query) as EntryRow[];
    const entries = rows.slice(0, first).map(toRecord);
    const cursors = entries.map((entry) => encodeCursor(entry.seq));
    return {
      entries,
      cursors,
      hasNextPage: rows.length > first,
      endCursor: cursors.length > 0 ? cursors[cursors.length - 1] : null,
    };
  }

  /** Reads fail as AUDIT_UNAVAILABLE when the database does, keeping input errors as they are. */
  private async reading<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuditInputError) throw error;
      throw new AuditUnavailableError('the access log could not be read', { cause: error });
    }
  }
}
