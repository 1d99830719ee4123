/**
 * Read-only reports over the access log for the auditor's console: one entry by position,
 * access volume per interval, and patterns worth a look. They read `audit.entries` beside
 * `AuditLog` and never write.
 */
import type { Knex } from 'knex';
import { AuditInputError, AuditUnavailableError } from './errors';
import { ENTRY_COLUMNS, rowsOf, textArrayLiteral, toRecord, type EntryRow } from './rows';
import type { AuditRecord, AuditWitnessStatus } from './types';

/** The width of one interval of `timeline`. */
export type TimeBucket = 'HOUR' | 'DAY';

/** Accesses of one client under one purpose in one interval. */
export interface AccessVolume {
  /** Start of the interval (days start at midnight in Vietnam, UTC+7). */
  at: Date;
  clientId: string;
  purpose: string | null;
  total: number;
  /** Entries where something was refused: DENIED, UNAUTHENTICATED, or any denied field. */
  refused: number;
}

/** Kinds of pattern `anomalies` reports. */
export type AnomalyKind = 'SUBJECT_SURGE' | 'NIGHT_READS' | 'REFUSAL_BURST' | 'UNBOUND_FIELDS';

/** One pattern worth an auditor's look. */
export interface AccessAnomaly {
  kind: AnomalyKind;
  clientId: string;
  purpose: string | null;
  /** The period it was seen in, [from, to). */
  from: Date;
  to: Date;
  /** Subjects read that day, night reads, refusals in the hour, or entries reading unbound fields. */
  count: number;
  /** What is usual, for comparison: the client's daily subjects before, its reads, its requests. */
  baseline: number | null;
  /** Field coordinates read outside the procedure's bindings (UNBOUND_FIELDS only). */
  fields: string[];
  message: string;
}

/** A procedure the catalogue knows: its codes and the field coordinates it binds. */
export interface BoundProcedure {
  codes: string[];
  reads: readonly string[];
}

/** Thresholds of `anomalies`; the defaults suit a log of official systems. */
export interface AnomalyThresholds {
  /** A day's distinct subjects must exceed this many times the client's daily average... */
  surgeFactor: number;
  /** ...and that average by at least this many subjects. */
  surgeMinimum: number;
  /** Days before a day that make the client's average. */
  baselineDays: number;
  /** Night reads (22:00 to 06:00 in Vietnam) of a client before it is reported. */
  nightMinimum: number;
  /** Refusals of a client within one hour before it is reported. */
  burstMinimum: number;
}

const DEFAULT_THRESHOLDS: AnomalyThresholds = {
  surgeFactor: 3,
  surgeMinimum: 20,
  baselineDays: 28,
  nightMinimum: 5,
  burstMinimum: 10,
};

/** Vietnam keeps UTC+7 all year (no daylight saving), so local time is a fixed shift. */
const VN_OFFSET = "interval '7 hours'";
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAX_BUCKETS = 2000;
const MAX_ANOMALIES = 200;
/** Days of history a client needs before a surge can be told from its usual reading. */
const MIN_BASELINE_DAYS = 3;
const REFUSED = `(outcome IN ('DENIED', 'UNAUTHENTICATED') OR cardinality(denied) > 0)`;

/** The start of an interval in Vietnam time (UTC+7), as a timestamp without zone. */
function bucketSql(bucket: TimeBucket): string {
  const unit = bucket === 'HOUR' ? 'hour' : 'day';
  return `date_trunc('${unit}', (at AT TIME ZONE 'UTC') + ${VN_OFFSET})`;
}

/** A bucket from `bucketSql` back in UTC, as text; applied to groups, not to every row. */
function bucketText(column: string): string {
  return `to_char(${column} - ${VN_OFFSET}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}

function requireRange(from: Date | undefined, to: Date | undefined, defaultDays: number) {
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && (!(value instanceof Date) || Number.isNaN(value.getTime()))) {
      throw new AuditInputError(`${name}: a valid date-time is required`);
    }
  }
  const end = to ?? new Date();
  const start = from ?? new Date(end.getTime() - defaultDays * DAY_MS);
  if (start.getTime() >= end.getTime()) throw new AuditInputError('from must be before to');
  return { from: start, to: end };
}

/** Where a witness stands with the log. */
export type WitnessStateKind = 'UP_TO_DATE' | 'BEHIND' | 'UNREACHABLE' | 'FORKED';

/** A checkpoint: the entry it covers the log up to, and when the log signed it (if it holds it). */
export interface CheckpointMark {
  sequence: string;
  at: Date | null;
}

/** One witness of the log, as the console shows it. */
export interface WitnessState {
  url: string;
  keyName: string;
  keyId: string;
  state: WitnessStateKind;
  lastCosigned: CheckpointMark | null;
  /** The log's checkpoints it has not cosigned yet. */
  backlog: number;
  /** Entries after the newest checkpoint it cosigned. */
  unwitnessedEntries: number;
  lastError: string | null;
  message: string;
}

/** The log's head and newest checkpoint beside what each witness has cosigned of it. */
export interface WitnessingView {
  headSequence: string;
  newestCheckpoint: CheckpointMark | null;
  witnesses: WitnessState[];
  message: string;
}

export const NO_WITNESS_MESSAGE =
  'No witness is configured (AUDIT_WITNESS_URL): the checkpoints are kept only in the log’s database, so a dropped tail cannot be detected.';

/** Reports over the access log in `knex` (the database `AuditLog` writes to). */
export class AuditInsights {
  constructor(
    private readonly knex: Knex,
    private readonly procedures: () => readonly BoundProcedure[] = () => [],
    private readonly thresholds: AnomalyThresholds = DEFAULT_THRESHOLDS,
  ) {}

  /**
   * Each witness beside the log: the newest checkpoint it cosigned, what it has not cosigned
   * yet, and where it stands. `statuses` must be taken before the call, so that the log read
   * here is never older than what a witness was seen to hold.
   */
  async witnesses(statuses: readonly AuditWitnessStatus[]): Promise<WitnessingView> {
    const witnessed = statuses.map((status) => status.lastWitnessedSequence);
    const rows = await this.reading((db) =>
      rowsOf<{
        head: string;
        checkpoint_seq: string;
        checkpoint_at: Date | null;
        witnessed_at: Date | null;
        backlog: number | null;
      }>(
        db.raw(
          `SELECT h.seq::text AS head, h.checkpoint_seq::text AS checkpoint_seq, h.checkpoint_at,
             (SELECT c.at FROM audit.checkpoints c WHERE c.seq = w.seq) AS witnessed_at,
             (SELECT count(*)::int FROM audit.checkpoints c WHERE c.seq > coalesce(w.seq, 0)) AS backlog
           FROM audit.head h
           LEFT JOIN unnest(?::bigint[]) WITH ORDINALITY AS w(seq, n) ON true
           ORDER BY w.n`,
          [`{${witnessed.map((seq) => seq ?? 'NULL').join(',')}}`],
        ),
      ),
    );
    const head = BigInt(rows[0].head);
    const newest = rows[0].checkpoint_at === null ? null : BigInt(rows[0].checkpoint_seq);
    const witnesses = statuses.map((status, index): WitnessState => {
      const row = rows[index];
      const seen =
        status.lastWitnessedSequence === null ? 0n : BigInt(status.lastWitnessedSequence);
      const state: WitnessStateKind =
        status.refused || seen > (newest ?? 0n)
          ? 'FORKED'
          : status.state === 'down'
            ? 'UNREACHABLE'
            : seen < (newest ?? 0n) || status.backlog > 0
              ? 'BEHIND'
              : 'UP_TO_DATE';
      const backlog = row.backlog ?? 0;
      const unwitnessedEntries = Number(head > seen ? head - seen : 0n);
      const upTo = status.lastWitnessedSequence ?? '0';
      return {
        url: status.url,
        keyName: status.keyName,
        keyId: status.keyId,
        state,
        lastCosigned:
          status.lastWitnessedSequence === null
            ? null
            : { sequence: status.lastWitnessedSequence, at: row.witnessed_at },
        backlog,
        unwitnessedEntries,
        lastError: status.lastError,
        message: {
          UP_TO_DATE: `Witness ${status.url} has cosigned the log's newest checkpoint (entry ${upTo}).`,
          BEHIND: `Witness ${status.url} answers and has cosigned up to entry ${upTo}; ${backlog} checkpoints wait for it.`,
          UNREACHABLE: `Witness ${status.url} cannot be reached (${status.lastError}); ${backlog} checkpoints wait for it, and it cannot tell whether entries after ${upTo} are dropped.`,
          FORKED: status.refused
            ? `Witness ${status.url} refused the log's checkpoint (${status.lastError}): run npm run audit -- verify.`
            : `Witness ${status.url} cosigned a checkpoint of entry ${upTo}, beyond the log's newest (${newest ?? 0n}): the log's tail was dropped; run npm run audit -- verify.`,
        }[state],
      };
    });
    const current = witnesses.filter((witness) => witness.state === 'UP_TO_DATE').length;
    return {
      headSequence: head.toString(),
      newestCheckpoint:
        newest === null ? null : { sequence: newest.toString(), at: rows[0].checkpoint_at },
      witnesses,
      message:
        witnesses.length === 0
          ? NO_WITNESS_MESSAGE
          : `${current} of ${witnesses.length} witnesses have cosigned the log's newest checkpoint.`,
    };
  }

  /** The entry at `seq`, or null when there is none. */
  async entry(seq: string): Promise<AuditRecord | null> {
    if (!/^[1-9][0-9]{0,18}$/.test(seq)) {
      throw new AuditInputError('seq: a positive integer is required');
    }
    const rows = await this.reading((db) =>
      rowsOf<EntryRow>(
        db.raw(`SELECT ${ENTRY_COLUMNS} FROM audit.entries WHERE seq = ?::bigint`, [seq]),
      ),
    );
    return rows.length > 0 ? toRecord(rows[0]) : null;
  }

  /**
   * Entries per interval, client and purpose over [from, to) (default the last 30 days), with
   * the refusals among them; intervals without entries are left out.
   */
  async timeline(
    range: { from?: Date; to?: Date } = {},
    bucket: TimeBucket = 'DAY',
  ): Promise<AccessVolume[]> {
    if (bucket !== 'HOUR' && bucket !== 'DAY') {
      throw new AuditInputError('bucket: HOUR or DAY is required');
    }
    const { from, to } = requireRange(range.from, range.to, 30);
    const buckets = (to.getTime() - from.getTime()) / (bucket === 'HOUR' ? HOUR_MS : DAY_MS);
    if (buckets > MAX_BUCKETS) {
      throw new AuditInputError(
        `the range holds ${Math.ceil(buckets)} intervals of ${bucket}; at most ${MAX_BUCKETS}: choose DAY or a shorter range`,
      );
    }
    const rows = await this.reading((db) =>
      rowsOf<{
        bucket: string;
        client_id: string;
        purpose: string | null;
        total: string;
        refused: string;
      }>(
        db.raw(
          `SELECT ${bucketText('bucket')} AS bucket, client_id, purpose, total, refused
             FROM (SELECT ${bucketSql(bucket)} AS bucket, client_id, purpose,
                          count(*)::text AS total,
                          count(*) FILTER (WHERE ${REFUSED})::text AS refused
                     FROM audit.entries
                    WHERE at >= ?::timestamptz AND at < ?::timestamptz
                    GROUP BY 1, 2, 3) AS grouped
            ORDER BY 1, 2, 3 NULLS FIRST`,
          [from.toISOString(), to.toISOString()],
        ),
      ),
    );
    return rows.map((row) => ({
      at: new Date(row.bucket),
      clientId: row.client_id,
      purpose: row.purpose,
      total: Number(row.total),
      refused: Number(row.refused),
    }));
  }

  /**
   * Patterns over [from, to) (default the last 7 days) worth an auditor's look: a client reading
   * far more subjects in a day than its average, reads at night, bursts of refusals within an
   * hour, and a procedure's purpose reading fields the procedure does not bind. Citizens reading
   * their own data are left out. Most striking first within each kind.
   */
  async anomalies(range: { from?: Date; to?: Date } = {}): Promise<AccessAnomaly[]> {
    const { from, to } = requireRange(range.from, range.to, 7);
    const found = await this.reading(async (db) => [
      ...(await this.subjectSurges(db, from, to)),
      ...(await this.nightReads(db, from, to)),
      ...(await this.refusalBursts(db, from, to)),
      ...(await this.unboundFields(db, from, to)),
    ]);
    return found.slice(0, MAX_ANOMALIES);
  }

  private async subjectSurges(db: Knex, from: Date, to: Date): Promise<AccessAnomaly[]> {
    const { surgeFactor, surgeMinimum, baselineDays } = this.thresholds;
    const historyFrom = new Date(from.getTime() - baselineDays * DAY_MS);
    const rows = await rowsOf<{ day: string; client_id: string; subjects: string }>(
      db.raw(
        `SELECT ${bucketText('day')} AS day, client_id, count(*)::text AS subjects
           FROM (SELECT DISTINCT ${bucketSql('DAY')} AS day, client_id, s.id
                   FROM audit.entries, unnest(subjects) AS s(id)
                  WHERE at >= ?::timestamptz AND at < ?::timestamptz
                    AND client_id NOT LIKE 'citizen:%') AS distinct_reads
          GROUP BY day, client_id`,
        [historyFrom.toISOString(), to.toISOString()],
      ),
    );
    const byClient = new Map<string, Map<number, number>>();
    for (const row of rows) {
      const days = byClient.get(row.client_id) ?? new Map<number, number>();
      days.set(new Date(row.day).getTime(), Number(row.subjects));
      byClient.set(row.client_id, days);
    }
    const surges: AccessAnomaly[] = [];
    for (const [clientId, days] of byClient) {
      const firstDay = Math.min(...days.keys());
      for (const [day, subjects] of days) {
        if (day + DAY_MS <= from.getTime()) continue;
        // The average is over the days the client was already known: a new client has none.
        const known = Math.min(baselineDays, Math.round((day - firstDay) / DAY_MS));
        if (known < MIN_BASELINE_DAYS) continue;
        let before = 0;
        for (let back = 1; back <= known; back += 1) before += days.get(day - back * DAY_MS) ?? 0;
        const average = before / known;
        if (subjects > average * surgeFactor && subjects - average >= surgeMinimum) {
          surges.push({
            kind: 'SUBJECT_SURGE',
            clientId,
            purpose: null,
            from: new Date(day),
            to: new Date(day + DAY_MS),
            count: subjects,
            baseline: Math.round(average * 10) / 10,
            fields: [],
            message: `${clientId} read ${subjects} distinct subjects on ${new Date(day + 7 * HOUR_MS).toISOString().slice(0, 10)}, against ${average.toFixed(1)} a day over the ${known} days before.`,
          });
        }
      }
    }
    return surges.sort((a, b) => b.count - (b.baseline ?? 0) - (a.count - (a.baseline ?? 0)));
  }

  private async nightReads(db: Knex, from: Date, to: Date): Promise<AccessAnomaly[]> {
    const rows = await rowsOf<{
      client_id: string;
      night: string;
      reads: string;
      first_at: Date;
      last_at: Date;
    }>(
      db.raw(
        `SELECT client_id, count(*)::text AS reads,
                count(*) FILTER (WHERE extract(hour FROM (at AT TIME ZONE 'UTC') + ${VN_OFFSET}) >= 22
                                    OR extract(hour FROM (at AT TIME ZONE 'UTC') + ${VN_OFFSET}) < 6)::text AS night,
                min(at) AS first_at, max(at) AS last_at
           FROM audit.entries
          WHERE at >= ?::timestamptz AND at < ?::timestamptz
            AND cardinality(fields) > 0 AND client_id NOT LIKE 'citizen:%'
          GROUP BY client_id
          ORDER BY 2 DESC`,
        [from.toISOString(), to.toISOString()],
      ),
    );
    return rows
      .filter((row) => Number(row.night) >= this.thresholds.nightMinimum)
      .map((row) => ({
        kind: 'NIGHT_READS' as const,
        clientId: row.client_id,
        purpose: null,
        from,
        to,
        count: Number(row.night),
        baseline: Number(row.reads),
        fields: [],
        message: `${row.client_id} read personal data ${row.night} times between 22:00 and 06:00 (Vietnam time), of ${row.reads} reads.`,
      }))
      .sort((a, b) => b.count - a.count);
  }

  private async refusalBursts(db: Knex, from: Date, to: Date): Promise<AccessAnomaly[]> {
    const rows = await rowsOf<{ hour: string; client_id: string; refused: string; total: string }>(
      db.raw(
        `SELECT ${bucketText('hour')} AS hour, client_id, refused::text, total::text
           FROM (SELECT ${bucketSql('HOUR')} AS hour, client_id,
                        count(*) FILTER (WHERE ${REFUSED}) AS refused, count(*) AS total
                   FROM audit.entries
                  WHERE at >= ?::timestamptz AND at < ?::timestamptz
                    AND client_id NOT LIKE 'citizen:%'
                  GROUP BY 1, 2
                 HAVING count(*) FILTER (WHERE ${REFUSED}) >= ?) AS hours
          ORDER BY refused DESC`,
        [from.toISOString(), to.toISOString(), this.thresholds.burstMinimum],
      ),
    );
    return rows.map((row) => ({
      kind: 'REFUSAL_BURST' as const,
      clientId: row.client_id,
      purpose: null,
      from: new Date(row.hour),
      to: new Date(new Date(row.hour).getTime() + HOUR_MS),
      count: Number(row.refused),
      baseline: Number(row.total),
      fields: [],
      message: `${row.client_id} was refused ${row.refused} times of ${row.total} requests in the hour from ${row.hour}.`,
    }));
  }

  private async unboundFields(db: Knex, from: Date, to: Date): Promise<AccessAnomaly[]> {
    const purposes: string[] = [];
    const fields: string[] = [];
    const codes: string[] = [];
    for (const procedure of this.procedures()) {
      for (const code of procedure.codes) {
        codes.push(code);
        for (const field of procedure.reads) {
          purposes.push(code);
          fields.push(field);
        }
      }
    }
    if (codes.length === 0) return [];
    const rows = await rowsOf<{
      client_id: string;
      purpose: string;
      entries: string;
      fields: string[];
      first_at: Date;
      last_at: Date;
    }>(
      db.raw(
        `WITH bound AS (SELECT * FROM unnest(?::text[], ?::text[]) AS b(purpose, field))
         SELECT e.client_id, e.purpose, count(DISTINCT e.seq)::text AS entries,
                array_agg(DISTINCT f.coordinate) AS fields, min(e.at) AS first_at, max(e.at) AS last_at
           FROM audit.entries e, unnest(e.fields) AS f(coordinate)
          WHERE e.at >= ?::timestamptz AND e.at < ?::timestamptz AND e.purpose = ANY(?::text[])
            AND NOT EXISTS (SELECT 1 FROM bound b WHERE b.purpose = e.purpose AND b.field = f.coordinate)
          GROUP BY e.client_id, e.purpose
          ORDER BY 3 DESC`,
        [
          textArrayLiteral(purposes),
          textArrayLiteral(fields),
          from.toISOString(),
          to.toISOString(),
          textArrayLiteral(codes),
        ],
      ),
    );
    return rows.map((row) => {
      const list = [...row.fields].sort();
      return {
        kind: 'UNBOUND_FIELDS' as const,
        clientId: row.client_id,
        purpose: row.purpose,
        from: new Date(row.first_at),
        to: new Date(new Date(row.last_at).getTime() + 1),
        count: Number(row.entries),
        baseline: null,
        fields: list,
        message: `${row.client_id} read ${list.join(', ')} under ${row.purpose} in ${row.entries} requests; the procedure does not bind these fields.`,
      };
    });
  }

  /**
   * Runs a report in one read-only transaction whose aggregates may sort in memory and skip
   * JIT compilation, which costs more than it saves on these one-off scans. Reads fail as
   * AUDIT_UNAVAILABLE when the database does, keeping input errors as they are.
   */
  private async reading<T>(work: (db: Knex) => Promise<T>): Promise<T> {
    try {
      return await this.knex.transaction(
        async (trx) => {
          await trx.raw(
            `SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)`,
          );
          return work(trx);
        },
        { readOnly: true },
      );
    } catch (error) {
      if (error instanceof AuditInputError) throw error;
      throw new AuditUnavailableError('the access log could not be read', { cause: error });
    }
  }
}
