import { createHash } from 'node:crypto';
import { AuditInputError } from './errors';
import { AUDIT_OUTCOMES, type AuditEntryInput } from './types';

/** The `previousHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

const HASH_VERSION = 'ndg-audit-entry/1';
/** Entries that keep the client's request id; version 1 entries hash as they always did. */
const HASH_VERSION_CLIENT_ID = 'ndg-audit-entry/2';
/** Entries that name the subgraphs' entries of the same request (the federated gateway's). */
const HASH_VERSION_PROVIDERS = 'ndg-audit-entry/3';

/** An entry after validation, with its timestamps in the canonical text form. */
export interface NormalisedEntry extends AuditEntryInput {
  clientRequestId: string | null;
  providerEntries: string[];
  atText: string;
  restrictedUntilText: string | null;
}

/** The parts of an entry that its hash covers, with timestamps as canonical text. */
export interface HashableEntry {
  requestId: string;
  clientRequestId: string | null;
  /** Absent or empty: the entry hashes as version 1 or 2. */
  providerEntries?: string[];
  atText: string;
  clientId: string;
  actor: string | null;
  purpose: string | null;
  caseId: string | null;
  operation: string | null;
  documentHash: string | null;
  subjects: string[];
  fields: string[];
  denied: string[];
  outcome: string;
  durationMs: number;
  restrictedUntilText: string | null;
}

/**
 * UTC, microsecond precision: the form PostgreSQL's `to_char` gives back for a timestamptz, so a
 * hash computed before the insert can be recomputed from the stored row without rounding.
 */
export function canonicalTimestamp(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/** SHA-256 (hex) of an entry at position `seq` chained to `previousHash`. */
export function entryHash(entry: HashableEntry, seq: bigint, previousHash: string): string {
  // A JSON array in a fixed order: unambiguous, and the same in any language that re-verifies it.
  const clientId = entry.clientRequestId ?? null;
  const providers = entry.providerEntries ?? [];
  const content = [
    entry.atText,
    entry.clientId,
    entry.actor,
    entry.purpose,
    entry.caseId,
    entry.operation,
    entry.documentHash,
    entry.subjects,
    entry.fields,
    entry.denied,
    entry.outcome,
    entry.durationMs,
    entry.restrictedUntilText,
  ];
  const canonical = JSON.stringify(
    providers.length > 0
      ? [
          HASH_VERSION_PROVIDERS,
          seq.toString(),
          entry.requestId,
          clientId,
          ...content,
          providers,
          previousHash,
        ]
      : [
          clientId === null ? HASH_VERSION : HASH_VERSION_CLIENT_ID,
          seq.toString(),
          entry.requestId,
          ...(clientId === null ? [] : [clientId]),
          ...content,
          previousHash,
        ],
  );
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The bytes a checkpoint signature covers. */
export function checkpointPayload(seq: string, hash: string, atText: string, keyId: string) {
  return Buffer.from(`ndg-audit-checkpoint/1\n${seq}\n${hash}\n${atText}\n${keyId}`, 'utf8');
}

// Identifiers in this country's formats (digits, letters, `-`), never names or free text.
const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const FIELD_COORDINATE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
// A subgraph's entry: its name, the entry's position and hash in that subgraph's chain.
const PROVIDER_ENTRY = /^[a-z][a-z_]{0,39}:[0-9]{1,19}:[0-9a-f]{64}$/;
// Control characters would break CSV exports; lone surrogates would not survive UTF-8 unchanged.
const UNSAFE_TEXT =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_TEXT = 200;
const MAX_LIST = 10_000;

function text(name: string, value: unknown, nullable: boolean): string | null {
  if (value === null || value === undefined) {
    if (nullable) return null;
    throw new AuditInputError(`audit entry: ${name} is required`);
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw new AuditInputError(
      `audit entry: ${name} must be a string of 1 to ${MAX_TEXT} characters`,
    );
  }
  if (UNSAFE_TEXT.test(value)) {
    throw new AuditInputError(`audit entry: ${name} contains control or malformed characters`);
  }
  return value;
}

function list(name: string, value: unknown, pattern: RegExp, what: string): string[] {
  if (!Array.isArray(value) || value.length > MAX_LIST) {
    throw new AuditInputError(`audit entry: ${name} must be an array of at most ${MAX_LIST} items`);
  }
  for (const item of value) {
    if (typeof item !== 'string' || !pattern.test(item)) {
      throw new AuditInputError(
        `audit entry: ${name} must hold ${what}, got ${JSON.stringify(String(item).slice(0, 40))}`,
      );
    }
  }
  return [...value];
}

function timestamp(name: string, value: unknown, nullable: boolean): Date | null {
  if (value === null && nullable) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new AuditInputError(`audit entry: ${name} must be a valid Date`);
  }
  const year = value.getUTCFullYear();
  if (year < 1970 || year > 9999) {
    throw new AuditInputError(`audit entry: ${name} must lie between 1970 and 9999`);
  }
  return new Date(value.getTime());
}

/**
 * Validates an entry and brings it to the form that is hashed and stored. Refuses anything that
 * looks like a data value where an identifier or a field coordinate belongs.
 */
export function normaliseEntry(input: AuditEntryInput): NormalisedEntry {
  if (typeof input !== 'object' || input === null) {
    throw new AuditInputError('audit entry: an object is required');
  }
  if (!AUDIT_OUTCOMES.includes(input.outcome)) {
    throw new AuditInputError(`audit entry: outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  }
  if (typeof input.durationMs !== 'number' || !Number.isFinite(input.durationMs)) {
    throw new AuditInputError('audit entry: durationMs must be a finite number');
  }
  const at = timestamp('at', input.at, false) as Date;
  const restrictedUntil = timestamp('restrictedUntil', input.restrictedUntil ?? null, true);
  return {
    requestId: text('requestId', input.requestId, false) as string,
    clientRequestId: text('clientRequestId', input.clientRequestId ?? null, true),
    providerEntries: list(
      'providerEntries',
      input.providerEntries ?? [],
      PROVIDER_ENTRY,
      'subgraph entries (subgraph:seq:hash)',
    ),
    at,
    atText: canonicalTimestamp(at),
    clientId: text('clientId', input.clientId, false) as string,
    actor: text('actor', input.actor, true),
    purpose: text('purpose', input.purpose, true),
    caseId: text('caseId', input.caseId, true),
    operation: text('operation', input.operation, true),
    documentHash: text('documentHash', input.documentHash, true),
    subjects: list('subjects', input.subjects, SUBJECT, 'identifiers'),
    fields: list('fields', input.fields, FIELD_COORDINATE, 'field coordinates (Type.field)'),
    denied: list('denied', input.denied, FIELD_COORDINATE, 'field coordinates (Type.field)'),
    outcome: input.outcome,
    // The column is an int: round here so the hash covers exactly what is stored.
    durationMs: Math.min(Math.max(Math.round(input.durationMs), 0), 2_147_483_647),
    restrictedUntil,
    restrictedUntilText: restrictedUntil ? canonicalTimestamp(restrictedUntil) : null,
  };
}
