/** The GraphQL operations the console sends; each is logged by the gateway like any other. */

const ENTRY_FIELDS = `seq requestId at client actor purpose caseId operation subjects fields denied
  outcome durationMs hash previousHash documentHash restrictedUntil`;

export const AUDIT_LOG = `query ConsoleAuditLog($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { ${ENTRY_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const AUDIT_ENTRY = `query ConsoleAuditEntry($seq: ID!) {
  auditEntry(seq: $seq) { ${ENTRY_FIELDS} }
}`;

export const VERIFY = `query ConsoleVerifyChain($from: DateTime, $to: DateTime) {
  verifyAuditChain(from: $from, to: $to) {
    ok checkedEntries checkedCheckpoints firstBrokenSeq firstBrokenRequestId problem message
  }
}`;

export const WITNESSES = `query ConsoleWitnesses {
  auditWitnesses {
    headSequence message
    newestCheckpoint { sequence at }
    witnesses {
      url keyName keyId state lastCosigned { sequence at } backlog unwitnessedEntries lastError message
    }
  }
}`;

export const CHARTS = `query ConsoleCharts($from: DateTime, $to: DateTime, $bucket: TimeBucket) {
  accessTimeline(from: $from, to: $to, bucket: $bucket) { at client purpose total refused }
  accessStatistics(from: $from, to: $to) { client purpose total ok partial denied unauthenticated error deniedFields }
}`;

export const ANOMALIES = `query ConsoleAnomalies($from: DateTime, $to: DateTime) {
  accessAnomalies(from: $from, to: $to) { kind client purpose from to count baseline fields message }
}`;

export type Outcome = 'OK' | 'PARTIAL' | 'DENIED' | 'UNAUTHENTICATED' | 'ERROR';
export const OUTCOMES: Outcome[] = ['OK', 'PARTIAL', 'DENIED', 'UNAUTHENTICATED', 'ERROR'];

export interface Entry {
  seq: string;
  requestId: string;
  at: string;
  client: string;
  actor: string | null;
  purpose: string | null;
  caseId: string | null;
  operation: string | null;
  subjects: string[];
  fields: string[];
  denied: string[];
  outcome: Outcome;
  durationMs: number;
  hash: string;
  previousHash: string;
  documentHash: string | null;
  restrictedUntil: string | null;
}

export interface LogPage {
  auditLog: {
    edges: { cursor: string; node: Entry }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export interface Filter {
  client?: string;
  subjectId?: string;
  purpose?: string;
  caseId?: string;
  from?: string;
  to?: string;
  outcome?: Outcome;
}

export interface ChainReport {
  ok: boolean;
  checkedEntries: number;
  checkedCheckpoints: number;
  firstBrokenSeq: string | null;
  firstBrokenRequestId: string | null;
  problem: string | null;
  message: string;
}

export type WitnessStateKind = 'UP_TO_DATE' | 'BEHIND' | 'UNREACHABLE' | 'FORKED';

/** A checkpoint: the entry it covers the log up to, and when the log signed it. */
export interface CheckpointMark {
  sequence: string;
  at: string | null;
}

export interface WitnessState {
  url: string;
  keyName: string;
  keyId: string;
  state: WitnessStateKind;
  lastCosigned: CheckpointMark | null;
  backlog: number;
  unwitnessedEntries: number;
  lastError: string | null;
  message: string;
}

export interface Witnessing {
  headSequence: string;
  newestCheckpoint: CheckpointMark | null;
  witnesses: WitnessState[];
  message: string;
}

export interface Volume {
  at: string;
  client: string;
  purpose: string | null;
  total: number;
  refused: number;
}

export interface Statistics {
  client: string;
  purpose: string | null;
  total: number;
  ok: number;
  partial: number;
  denied: number;
  unauthenticated: number;
  error: number;
  deniedFields: number;
}

export type AnomalyKind = 'SUBJECT_SURGE' | 'NIGHT_READS' | 'REFUSAL_BURST' | 'UNBOUND_FIELDS';

export interface Anomaly {
  kind: AnomalyKind;
  client: string;
  purpose: string | null;
  from: string;
  to: string;
  count: number;
  baseline: number | null;
  fields: string[];
  message: string;
}

const CSV_COLUMNS: (keyof Entry)[] = [
  'seq',
  'requestId',
  'at',
  'client',
  'actor',
  'purpose',
  'caseId',
  'operation',
  'documentHash',
  'subjects',
  'fields',
  'denied',
  'outcome',
  'durationMs',
  'restrictedUntil',
  'previousHash',
  'hash',
];

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const raw = Array.isArray(value) ? value.join(' ') : String(value);
  // A leading =, +, - or @ makes spreadsheets evaluate the cell as a formula.
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Entries as CSV, the columns of the gateway's own export. */
export function toCsv(entries: Entry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const entry of entries)
    lines.push(CSV_COLUMNS.map((column) => csvCell(entry[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
