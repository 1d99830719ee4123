import type { Knex } from 'knex';
import type { HashableEntry } from './canonical';
import { AuditInputError } from './errors';
import type { AuditOutcome, AuditRecord } from './types';

const TS_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/** A timestamptz column as canonical text (UTC, microseconds), the form the hash covers. */
export const timestampText = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', ${TS_FORMAT})`;

/** The columns of `audit.entries` as `EntryRow` reads them; bigint as text for both drivers. */
export const ENTRY_COLUMNS = [
  'seq::text AS seq',
  'request_id',
  'at',
  `${timestampText('at')} AS at_text`,
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
  `${timestampText('restricted_until')} AS restricted_until_text`,
  'previous_hash',
  'hash',
  'client_request_id',
  'provider_entries',
].join(', ');

/** One row of `audit.entries` as selected with `ENTRY_COLUMNS`. */
export interface EntryRow {
  seq: string;
  request_id: string;
  at: Date;
  at_text: string;
  client_id: string;
  actor: string | null;
  purpose: string | null;
  case_id: string | null;
  operation: string | null;
  document_hash: string | null;
  subjects: string[];
  fields: string[];
  denied: string[];
  outcome: AuditOutcome;
  duration_ms: number;
  restricted_until: Date | null;
  restricted_until_text: string | null;
  previous_hash: string;
  hash: string;
  client_request_id: string | null;
  provider_entries: string[] | null;
}

/** The record a caller sees. */
export function toRecord(row: EntryRow): AuditRecord {
  return {
    seq: row.seq,
    requestId: row.request_id,
    clientRequestId: row.client_request_id,
    at: new Date(row.at),
    clientId: row.client_id,
    actor: row.actor,
    purpose: row.purpose,
    caseId: row.case_id,
    operation: row.operation,
    documentHash: row.document_hash,
    subjects: row.subjects,
    fields: row.fields,
    denied: row.denied,
    outcome: row.outcome,
    durationMs: Number(row.duration_ms),
    restrictedUntil: row.restricted_until === null ? null : new Date(row.restricted_until),
    providerEntries: row.provider_entries ?? [],
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/** The stored content, exactly as the hash must cover it. */
export function toHashable(row: EntryRow): HashableEntry {
  return {
    requestId: row.request_id,
    clientRequestId: row.client_request_id,
    providerEntries: row.provider_entries ?? [],
    atText: row.at_text,
    clientId: row.client_id,
    actor: row.actor,
    purpose: row.purpose,
    caseId: row.case_id,
    operation: row.operation,
    documentHash: row.document_hash,
    subjects: row.subjects,
    fields: row.fields,
    denied: row.denied,
    outcome: row.outcome,
    durationMs: Number(row.duration_ms),
    restrictedUntilText: row.restricted_until_text,
  };
}

/**
 * A PostgreSQL array literal, bound as text and cast with `::text[]`: both pg and PGlite pass a
 * string through unchanged, whereas their handling of JS arrays differs.
 */
export function textArrayLiteral(values: string[]): string {
  return `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** The opaque cursor of an entry: base64 of its seq. */
export function encodeCursor(seq: string): string {
  return Buffer.from(seq, 'utf8').toString('base64');
}

/** The seq an `encodeCursor` cursor names; `AuditInputError` for anything else. */
export function decodeCursor(cursor: string, argument = 'after'): string {
  const seq = Buffer.from(cursor, 'base64').toString('utf8');
  if (!/^[1-9][0-9]{0,18}$/.test(seq) || encodeCursor(seq) !== cursor) {
    throw new AuditInputError(`${argument}: not a cursor returned by this connection`);
  }
  return seq;
}

/** The rows of a `knex.raw` result, for both pg and PGlite. */
export async function rowsOf<T>(query: Knex.Raw): Promise<T[]> {
  const result = (await query) as { rows: T[] };
  return result.rows;
}
