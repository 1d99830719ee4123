/** What happened to one request, as the access log records it. */
export const AUDIT_OUTCOMES = ['OK', 'PARTIAL', 'DENIED', 'UNAUTHENTICATED', 'ERROR'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * One access, as the gateway hands it to the log. Identifiers and field coordinates only: never
 * a personal data value.
 */
export interface AuditEntryInput {
  /** The gateway's own id of the request, unique. */
  requestId: string;
  /** The client's `X-Request-Id`, kept beside the gateway's; null when it sent none. */
  clientRequestId?: string | null;
  /**
   * The entries the subgraphs committed in their own logs for this request (federated:
   * `subgraph:seq:hash`), so that either side's log leads to the other's.
   */
  providerEntries?: string[];
  /** When the request was received. */
  at: Date;
  clientId: string;
  /** The official (or citizen) on whose behalf the client asked (X-Actor). */
  actor: string | null;
  /** The procedure or legal-basis code (X-Purpose). */
  purpose: string | null;
  /** The dossier number (X-Case-Id). */
  caseId: string | null;
  /** The GraphQL operation name, or the root fields called. */
  operation: string | null;
  /** Hash of the GraphQL document, so the exact query can be identified without storing it. */
  documentHash: string | null;
  /** Identifiers of the records returned (citizen ids, enterprise codes, parcel ids...). */
  subjects: string[];
  /** Field coordinates returned, `Type.field`. */
  fields: string[];
  /** Field coordinates refused, `Type.field`. */
  denied: string[];
  outcome: AuditOutcome;
  durationMs: number;
  /** Until then the entry is hidden from the citizen's own view (an investigation). */
  restrictedUntil: Date | null;
}

/** A committed entry: its place in the chain and its hash. */
export type AuditRecord = AuditEntryInput & {
  /** Position in the chain, 1-based; a decimal string because it is a bigint. */
  seq: string;
  /** SHA-256 (hex) over the canonical form of the entry and `previousHash`. */
  hash: string;
  previousHash: string;
};

/** Filters of `AuditLog.query`; `from` is inclusive and `to` exclusive. */
export interface AuditQueryFilter {
  clientId?: string;
  subjectId?: string;
  purpose?: string;
  caseId?: string;
  from?: Date;
  to?: Date;
  outcome?: AuditOutcome;
}

/** Relay-style paging: `first` at most 100 (default 20), `after` an `endCursor` from a page. */
export interface AuditPageRequest {
  first?: number;
  after?: string | null;
}

/** One page of entries, newest first. */
export interface AuditPage {
  entries: AuditRecord[];
  /** The cursor of each entry, aligned with `entries`. */
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A time range; `from` is inclusive and `to` exclusive. */
export interface AuditTimeRange {
  from?: Date;
  to?: Date;
}

/** What `verify` found wrong. */
export type AuditChainProblem =
  'CHANGED' | 'REMOVED' | 'INSERTED' | 'TRUNCATED' | 'BAD_SIGNATURE' | AuditWitnessProblem;

/**
 * What comparing the log with a witness found: the log ends before a checkpoint the witness
 * cosigned (DROPPED_TAIL), or holds another entry where the witness cosigned one (REWRITTEN),
 * or the witness's answer is not signed by its key (BAD_WITNESS_SIGNATURE).
 */
export type AuditWitnessProblem = 'DROPPED_TAIL' | 'REWRITTEN' | 'BAD_WITNESS_SIGNATURE';

/** The log compared with one witness. */
export interface AuditWitnessCheck {
  url: string;
  /** False when the witness shows the log was cut or rewritten, or its answer is forged. */
  ok: boolean;
  /** False when the witness could not be asked: it then detects nothing. */
  reachable: boolean;
  /** The newest entry the witness cosigned a checkpoint of. */
  lastWitnessedSequence: string | null;
  /** Witnessed checkpoints compared with the chain. */
  checkedCheckpoints: number;
  problem?: AuditWitnessProblem;
  message: string;
}

/** One witness as the writer sees it, for /readyz, /metrics and the auditor's console. */
export interface AuditWitnessStatus {
  url: string;
  /** The name and id (8 hex digits) of the key its cosignatures must verify with. */
  keyName: string;
  keyId: string;
  /** down: the last submission failed; checkpoints queue until it answers. */
  state: 'up' | 'down';
  /** It answered, but refused a checkpoint for good (a fork, or a log or key it does not know). */
  refused: boolean;
  /** Checkpoints waiting to be sent to it. */
  backlog: number;
  lastWitnessedSequence: string | null;
  lastError: string | null;
}

/** How the log reaches its witnesses; see src/witness/. */
export interface AuditWitnessing {
  /** Called once a checkpoint is committed; sends it in the background. */
  onCheckpoint(checkpoint: AuditCheckpoint): void;
  /** Compares the log with every witness and adds what they found to the report. */
  check(report: AuditChainReport): Promise<AuditChainReport>;
  status(): AuditWitnessStatus[];
  /** Tries to send what is queued (bounded in time), then stops. */
  close(): Promise<void>;
}

/** The result of recomputing the chain. */
export interface AuditChainReport {
  ok: boolean;
  /** Entries whose hash was recomputed. */
  checkedEntries: number;
  /** Signed checkpoints compared with the chain. */
  checkedCheckpoints: number;
  /** False when verification was asked to skip checkpoint signatures. */
  signaturesChecked: boolean;
  /** The first entry that is not what was logged (or where one is missing). */
  firstBrokenSeq?: string;
  /** Its request id, when the entry still exists. */
  firstBrokenRequestId?: string;
  problem?: AuditChainProblem;
  /** One sentence for a human, naming the entry and what is wrong. */
  message: string;
  /** The log compared with each configured witness; empty when none is configured. */
  witnesses?: AuditWitnessCheck[];
}

/** Counts per client and purpose over a time range. */
export interface AuditStatsRow {
  clientId: string;
  purpose: string | null;
  total: number;
  byOutcome: Record<AuditOutcome, number>;
  /** Entries where something was refused: DENIED, UNAUTHENTICATED, or any denied field. */
  refused: number;
  /** Field coordinates refused, summed over the entries. */
  deniedFields: number;
}

/** A signed statement of the chain's head at one moment. */
export interface AuditCheckpoint {
  seq: string;
  hash: string;
  at: Date;
  keyId: string;
  /** Ed25519 signature, base64. */
  signature: string;
}

/** The writer's counters since the log was opened, for metrics. */
export interface AuditWriterCounters {
  appended: number;
  failed: number;
  batches: number;
  failedBatches: number;
  checkpoints: number;
  pending: number;
}
