import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { knex, type Knex } from 'knex';
import {
  canonicalTimestamp,
  entryHash,
  migrateAudit,
  signCheckpoint,
  type AuditSigningKey,
  type HashableEntry,
} from '../../src/audit';
import { ENTRY_COLUMNS, textArrayLiteral, toHashable, type EntryRow } from '../../src/audit/rows';
import {
  COSIGNATURE_ED25519,
  NOTE_ED25519,
  Witness,
  migrateWitness,
  noteSigner,
  noteVerifier,
  openEmbeddedLedger,
  type NoteSigner,
} from '../../src/witness';

const QUIET = { warn() {}, error() {}, deprecate() {}, debug() {} };

/**
 * Databases for one test file: on PostgreSQL (TEST_DATABASE_URL) fresh databases named after
 * the test database, dropped at the end; otherwise embedded PGlite instances, each its own.
 */
export class ScratchDatabases {
  private readonly admin: Knex | null;
  private readonly created: string[] = [];
  private readonly handles: Knex[] = [];

  constructor(private readonly url = process.env.TEST_DATABASE_URL) {
    this.admin = url
      ? knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 }, log: QUIET })
      : null;
  }

  /** A new empty database; `suffix` names it on PostgreSQL. */
  async open(suffix: string): Promise<{ knex: Knex; url: string | null }> {
    if (!this.admin || !this.url) {
      const handle = await openEmbeddedLedger();
      this.handles.push(handle);
      return { knex: handle, url: null };
    }
    const name = `${new URL(this.url).pathname.slice(1)}_${suffix}_${process.pid}`;
    await this.admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await this.admin.raw(`CREATE DATABASE ${name}`);
    this.created.push(name);
    const parsed = new URL(this.url);
    parsed.pathname = `/${name}`;
    const handle = knex({
      client: 'pg',
      connection: parsed.toString(),
      pool: { min: 0, max: 10 },
      log: QUIET,
    });
    this.handles.push(handle);
    return { knex: handle, url: parsed.toString() };
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.map((handle) => handle.destroy()));
    if (this.admin) {
      for (const name of this.created) {
        await this.admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
      await this.admin.destroy();
    }
  }
}

/** A fresh cosigner key. */
export function newCosigner(name = 'witness.test/w1'): NoteSigner {
  return noteSigner(name, COSIGNATURE_ED25519, generateKeyPairSync('ed25519').privateKey);
}

/** A witness over `ledger` that accepts the log `origin` signed by `logKey`. */
export async function newWitness(
  ledger: Knex,
  origin: string,
  logKey: AuditSigningKey,
  cosigner = newCosigner(),
): Promise<Witness> {
  await migrateWitness(ledger);
  return new Witness(ledger, {
    cosigner,
    logs: [noteVerifier(origin, NOTE_ED25519, logKey.publicKey)],
  });
}

/** Resets the audit schema of a database. */
export async function resetAudit(db: Knex): Promise<void> {
  await db.raw('DROP SCHEMA IF EXISTS audit CASCADE');
  await migrateAudit(db);
}

/** The stored entries from `seq` on, as the hash covers them. */
export async function entriesFrom(db: Knex, seq: number): Promise<HashableEntry[]> {
  const { rows } = await db.raw<{ rows: EntryRow[] }>(
    `SELECT ${ENTRY_COLUMNS} FROM audit.entries WHERE seq >= ? ORDER BY seq`,
    [seq],
  );
  return rows.map(toHashable);
}

/**
 * What a superuser can do to the log with the triggers lifted: replaces every entry from `from`
 * on with `entries` and re-chains them, moves the head, deletes the checkpoints beyond `from - 1`
 * and, with `signer`, signs a new checkpoint of the new head with it. Returns the new head.
 */
export async function rechain(
  db: Knex,
  from: number,
  entries: HashableEntry[],
  signer?: AuditSigningKey,
): Promise<number> {
  return db.transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    const { rows } = await trx.raw<{ rows: { hash: string }[] }>(
      'SELECT hash FROM audit.entries WHERE seq = ?',
      [from - 1],
    );
    let previous = rows[0]?.hash ?? '0'.repeat(64);
    await trx.raw('DELETE FROM audit.entries WHERE seq >= ?', [from]);
    await trx.raw('DELETE FROM audit.checkpoints WHERE seq >= ?', [from]);
    let seq = from - 1;
    for (const entry of entries) {
      seq += 1;
      const hash = entryHash(entry, BigInt(seq), previous);
      await trx.raw(
        `INSERT INTO audit.entries (seq, request_id, at, client_id, actor, purpose, case_id, operation,
           document_hash, subjects, fields, denied, outcome, duration_ms, restricted_until, previous_hash, hash)
         VALUES (?, ?, ?::timestamptz, ?, ?, ?, ?, ?, ?, ?::text[], ?::text[], ?::text[], ?, ?, ?::timestamptz, ?, ?)`,
        [
          seq,
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
          previous,
          hash,
        ] as Knex.RawBinding[],
      );
      previous = hash;
    }
    const { rows: kept } = await trx.raw<{ rows: { seq: string | null }[] }>(
      'SELECT max(seq)::text AS seq FROM audit.checkpoints',
    );
    await trx.raw('UPDATE audit.head SET seq = ?, hash = ?, checkpoint_seq = ?', [
      seq,
      previous,
      kept[0].seq ?? 0,
    ]);
    if (signer && seq >= from) {
      const at = new Date();
      const atText = canonicalTimestamp(at);
      await trx.raw(
        'INSERT INTO audit.checkpoints (seq, hash, at, key_id, signature) VALUES (?, ?, ?::timestamptz, ?, ?)',
        [
          seq,
          previous,
          atText,
          signer.keyId,
          signCheckpoint(signer, String(seq), previous, atText),
        ],
      );
      await trx.raw('UPDATE audit.head SET checkpoint_seq = ?, checkpoint_at = ?::timestamptz', [
        seq,
        atText,
      ]);
    }
    return seq;
  });
}

/** `npm run audit -- verify` as a process of its own, with the environment `env` only. */
export async function auditVerifyCommand(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = path.join(__dirname, '..', '..');
  try {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(root, 'node_modules', '.bin', 'tsx'),
      ['scripts/audit.ts', 'verify'],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
