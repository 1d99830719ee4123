import type { Knex } from 'knex';
import {
  COSIGNATURE_ED25519,
  NOTE_ED25519,
  NoteFormatError,
  checkpointText,
  cosignLine,
  encodeVerifierKey,
  noteSignatureValid,
  parseCheckpointText,
  parseNote,
  signaturesBy,
  type NoteSigner,
  type NoteVerifier,
} from './note';

/** The PostgreSQL schema of a witness's ledger. */
export const WITNESS_SCHEMA = 'witness';

// Serialises the ledger's creation between witnesses sharing a database.
const MIGRATION_LOCK_KEY = 7_305_801_014;

/**
 * Creates the ledger (idempotent): the newest checkpoint per log, and every checkpoint ever
 * witnessed, append-only, each with the log's signature and the witness's cosignature.
 */
export async function migrateWitness(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
    await trx.raw(`CREATE SCHEMA IF NOT EXISTS ${WITNESS_SCHEMA}`);
    await trx.raw(`
      CREATE TABLE IF NOT EXISTS witness.logs (
        origin text PRIMARY KEY,
        size bigint NOT NULL,
        hash text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await trx.raw(`
      CREATE TABLE IF NOT EXISTS witness.checkpoints (
        origin text NOT NULL,
        size bigint NOT NULL,
        hash text NOT NULL,
        log_signature text NOT NULL,
        cosignature text NOT NULL,
        witnessed_at timestamptz NOT NULL,
        PRIMARY KEY (origin, size)
      )`);
    await trx.raw(`
      CREATE OR REPLACE FUNCTION witness.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'witness.% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await trx.raw(`
      CREATE OR REPLACE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON witness.checkpoints
        FOR EACH ROW EXECUTE FUNCTION witness.refuse_change()`);
    await trx.raw(`
      CREATE OR REPLACE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON witness.checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION witness.refuse_change()`);
  });
}

/** The answer to add-checkpoint, as c2sp.org/tlog-witness defines its HTTP statuses. */
export type AddCheckpointResult =
  | { status: 200; cosignature: string }
  | { status: 409; size: bigint; message: string }
  | { status: 400 | 403 | 404 | 422; message: string };

/** One witnessed checkpoint as a complete note: the log's signature and the witness's cosignature. */
export interface WitnessedCheckpoint {
  size: bigint;
  note: string;
}

/** Options of `Witness`. */
export interface WitnessOptions {
  /** The witness's cosigning key (type 0x04). */
  cosigner: NoteSigner;
  /** The logs it witnesses: a note verifier each, named by the log's origin. */
  logs: NoteVerifier[];
  /** The clock of cosignatures (tests). */
  now?: () => Date;
}

interface LogRow {
  size: string;
  hash: string;
}

interface CheckpointRow {
  origin: string;
  size: string;
  hash: string;
  log_signature: string;
  cosignature: string;
}

const MAX_LIST = 1000;

/**
 * A witness of hash-chained logs (c2sp.org/tlog-witness, adapted): it accepts a checkpoint only
 * when it extends the newest one it holds for that log (the `old` size must be that size, and a
 * checkpoint of the same size must carry the same hash), keeps every checkpoint it accepted,
 * and cosigns it. A hash chain has no compact consistency proof, so the proof must be empty:
 * whether each witnessed checkpoint lies on the chain is checked by the verifier, which holds
 * the entries, against the whole ledger.
 */
export class Witness {
  private readonly cosigner: NoteSigner;
  private readonly logs = new Map<string, NoteVerifier>();
  private readonly now: () => Date;

  constructor(
    private readonly knex: Knex,
    options: WitnessOptions,
  ) {
    if (options.cosigner.type !== COSIGNATURE_ED25519) {
      throw new Error('the witness key must be a cosigner key (type 0x04)');
    }
    this.cosigner = options.cosigner;
    for (const log of options.logs) {
      if (log.type !== NOTE_ED25519)
        throw new Error(`log key ${log.name} must be a note key (type 0x01)`);
      this.logs.set(log.name, log);
    }
    this.now = options.now ?? (() => new Date());
  }

  /** The witness's verifier key, `name+id+key`, for the logs' AUDIT_WITNESS_KEYS. */
  get verifierKey(): string {
    return encodeVerifierKey(this.cosigner);
  }

  /** The witness's name. */
  get name(): string {
    return this.cosigner.name;
  }

  /** Handles an add-checkpoint request body: `old N`, proof lines, a blank line, the checkpoint. */
  async addCheckpoint(body: string): Promise<AddCheckpointResult> {
    let old: bigint;
    let note: string;
    try {
      const header = /^old (0|[1-9][0-9]{0,18})\n/.exec(body);
      if (!header) return { status: 400, message: 'the body starts with "old <size>"' };
      old = BigInt(header[1]);
      const rest = body.slice(header[0].length);
      const blank = rest.indexOf('\n');
      if (blank !== 0) {
        return {
          status: 422,
          message: 'this witness serves hash-chained logs: the consistency proof must be empty',
        };
      }
      note = rest.slice(1);
    } catch {
      return { status: 400, message: 'malformed request' };
    }
    let parsed;
    let checkpoint;
    try {
      parsed = parseNote(note);
      checkpoint = parseCheckpointText(parsed.text);
    } catch (error) {
      return { status: 400, message: (error as NoteFormatError).message };
    }
    const key = this.logs.get(checkpoint.origin);
    if (!key) return { status: 404, message: `unknown log origin "${checkpoint.origin}"` };
    const logSignature = signaturesBy(parsed, key).find((s) =>
      noteSignatureValid(key, parsed.text, s),
    );
    if (!logSignature) return { status: 403, message: 'no valid signature by the log key' };
    if (old > checkpoint.size)
      return { status: 400, message: 'old size is above the checkpoint size' };

    return this.knex.transaction(async (trx) => {
      await trx.raw(
        `INSERT INTO witness.logs (origin, size, hash, updated_at) VALUES (?, 0, '', now())
         ON CONFLICT (origin) DO NOTHING`,
        [checkpoint.origin],
      );
      const {
        rows: [latest],
      } = await trx.raw<{ rows: LogRow[] }>(
        'SELECT size::text AS size, hash FROM witness.logs WHERE origin = ? FOR UPDATE',
        [checkpoint.origin],
      );
      const size = BigInt(latest.size);
      if (old !== size) {
        return {
          status: 409 as const,
          size,
          message: `the newest checkpoint witnessed is ${size}`,
        };
      }
      const timestamp = BigInt(Math.floor(this.now().getTime() / 1000));
      const cosignature = cosignLine(this.cosigner, parsed.text, timestamp);
      if (checkpoint.size === size) {
        if (checkpoint.hash !== latest.hash) {
          return {
            status: 409 as const,
            size,
            message: `checkpoint ${size} forks from the one witnessed at that size`,
          };
        }
        return { status: 200 as const, cosignature };
      }
      await trx.raw(
        `INSERT INTO witness.checkpoints (origin, size, hash, log_signature, cosignature, witnessed_at)
         VALUES (?, ?::bigint, ?, ?, ?, to_timestamp(?))`,
        [
          checkpoint.origin,
          checkpoint.size.toString(),
          checkpoint.hash,
          logSignature.line,
          cosignature,
          timestamp.toString(),
        ],
      );
      await trx.raw(
        'UPDATE witness.logs SET size = ?::bigint, hash = ?, updated_at = now() WHERE origin = ?',
        [checkpoint.size.toString(), checkpoint.hash, checkpoint.origin],
      );
      return { status: 200 as const, cosignature };
    });
  }

  /** The newest checkpoint witnessed for `origin`, cosigned; null when none. */
  async latest(origin: string): Promise<WitnessedCheckpoint | null> {
    const { rows } = await this.knex.raw<{ rows: CheckpointRow[] }>(
      `SELECT c.origin, c.size::text AS size, c.hash, c.log_signature, c.cosignature
         FROM witness.logs l JOIN witness.checkpoints c ON c.origin = l.origin AND c.size = l.size
        WHERE l.origin = ?`,
      [origin],
    );
    return rows.length > 0 ? toWitnessed(rows[0]) : null;
  }

  /** The checkpoints witnessed for `origin` above size `after`, oldest first, at most `limit`. */
  async list(origin: string, after: bigint, limit = MAX_LIST): Promise<WitnessedCheckpoint[]> {
    const { rows } = await this.knex.raw<{ rows: CheckpointRow[] }>(
      `SELECT origin, size::text AS size, hash, log_signature, cosignature FROM witness.checkpoints
        WHERE origin = ? AND size > ?::bigint ORDER BY size LIMIT ?`,
      [origin, after.toString(), Math.min(Math.max(1, limit), MAX_LIST)],
    );
    return rows.map(toWitnessed);
  }
}

function toWitnessed(row: CheckpointRow): WitnessedCheckpoint {
  const text = checkpointText({ origin: row.origin, size: BigInt(row.size), hash: row.hash });
  return { size: BigInt(row.size), note: `${text}\n${row.log_signature}${row.cosignature}` };
}
