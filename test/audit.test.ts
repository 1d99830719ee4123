import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { knex, type Knex } from 'knex';
import {
  AUDIT_CHAIN_LOCK_KEY,
  AuditInputError,
  AuditLog,
  AuditUnavailableError,
  GENESIS_HASH,
  canonicalTimestamp,
  ensureAuditPartitions,
  entryHash,
  loadSigningKey,
  loadVerificationKeys,
  migrateAudit,
  signCheckpoint,
  signingKeyFrom,
  type AuditEntryInput,
  type AuditLogOptions,
} from '../src/audit';

/**
 * The access log against the embedded database (PGlite) by default, or real PostgreSQL when
 * TEST_DATABASE_URL is set. On PostgreSQL the suite works in a database of its own, so that
 * dropping the audit schema cannot disturb other test files running at the same time.
 */
const TEST_URL = process.env.TEST_DATABASE_URL;
const onPostgres = Boolean(TEST_URL);
const itOnPostgres = onPostgres ? it : it.skip;

const QUIET = { warn() {}, error() {}, deprecate() {}, debug() {} };
const key = signingKeyFrom(generateKeyPairSync('ed25519').privateKey);

let db: Knex;
let admin: Knex | null = null;
let suiteDatabase: string | null = null;
const openLogs: AuditLog[] = [];

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function openEmbedded(): Promise<Knex> {
  const { PGlite } = await import('@electric-sql/pglite');
  const ClientPgLite = (await import('knex-pglite')).default;
  const pglite = new PGlite();
  await pglite.waitReady;
  return knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
}

beforeAll(async () => {
  if (!TEST_URL) {
    db = await openEmbedded();
    return;
  }
  admin = knex({ client: 'pg', connection: TEST_URL, pool: { min: 0, max: 2 }, log: QUIET });
  const name = `${new URL(TEST_URL).pathname.slice(1)}_audit_${process.pid}`;
  try {
    await admin.raw(`CREATE DATABASE ${name}`);
    suiteDatabase = name;
  } catch {
    // No CREATEDB privilege: share the test database; the schema is still reset below.
  }
  db = knex({
    client: 'pg',
    connection: suiteDatabase ? withDatabase(TEST_URL, suiteDatabase) : TEST_URL,
    pool: { min: 0, max: 10 },
    log: QUIET,
  });
});

afterAll(async () => {
  await Promise.all(openLogs.map((log) => log.close()));
  await db?.destroy();
  if (admin) {
    if (suiteDatabase) await admin.raw(`DROP DATABASE IF EXISTS ${suiteDatabase} WITH (FORCE)`);
    await admin.destroy();
  }
});

afterEach(async () => {
  await Promise.all(openLogs.splice(0).map((log) => log.close()));
});

async function resetSchema(handle: Knex = db): Promise<void> {
  await handle.raw('DROP SCHEMA IF EXISTS audit CASCADE');
  await migrateAudit(handle);
}

function openLog(options: AuditLogOptions = {}, handle: Knex = db): AuditLog {
  const log = new AuditLog(handle, { signingKey: key, ...options });
  openLogs.push(log);
  return log;
}

const BASE = Date.now() - 3600_000;

function entry(i: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    requestId: `req-${i}`,
    at: new Date(BASE + i * 1000),
    clientId: 'demo-portal',
    actor: 'official-7',
    purpose: 'DEMO',
    caseId: null,
    operation: 'citizen',
    documentHash: null,
    subjects: [`0010990${String(i).padStart(5, '0')}`],
    fields: ['Citizen.fullName', 'Citizen.dateOfBirth'],
    denied: [],
    outcome: 'OK',
    durationMs: 4,
    restrictedUntil: null,
    ...overrides,
  };
}

/** Runs statements as the database owner with triggers off, as an intruder with superuser would. */
async function tamper(...statements: [string, unknown[]?][]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL session_replication_role = replica');
    for (const [sql, bindings] of statements) {
      await trx.raw(sql, (bindings ?? []) as Knex.RawBinding[]);
    }
  });
}

interface StoredRow {
  seq: string;
  hash: string;
  at: Date;
}

async function row(seq: number): Promise<StoredRow> {
  const result = await db.raw<{ rows: StoredRow[] }>(
    'SELECT seq::text AS seq, hash, at FROM audit.entries WHERE seq = ?',
    [seq],
  );
  return result.rows[0];
}

/** Inserts an entry as a forger would: a correct hash, chained to `previousHash`. */
async function forge(seq: number, previousHash: string, at: Date, requestId: string) {
  const atText = canonicalTimestamp(at);
  const content = {
    requestId,
    clientRequestId: null,
    atText,
    clientId: 'demo-portal',
    actor: null,
    purpose: 'DEMO',
    caseId: null,
    operation: 'citizen',
    documentHash: null,
    subjects: ['001099099999'],
    fields: ['Citizen.fullName'],
    denied: [],
    outcome: 'OK',
    durationMs: 1,
    restrictedUntilText: null,
  };
  const hash = entryHash(content, BigInt(seq), previousHash);
  return {
    hash,
    statement: [
      `INSERT INTO audit.entries (seq, request_id, at, client_id, actor, purpose, case_id, operation,
         document_hash, subjects, fields, denied, outcome, duration_ms, restricted_until,
         previous_hash, hash)
       VALUES (?, ?, ?::timestamptz, 'demo-portal', NULL, 'DEMO', NULL, 'citizen', NULL,
         '{001099099999}', '{Citizen.fullName}', '{}', 'OK', 1, NULL, ?, ?)`,
      [seq, requestId, atText, previousHash, hash],
    ] as [string, unknown[]],
  };
}

/** Moves entries from `from` on by `delta` positions (in two steps, so keys never collide). */
function renumber(from: number, delta: number): [string, unknown[]][] {
  return [
    ['UPDATE audit.entries SET seq = -seq WHERE seq >= ?', [from]],
    ['UPDATE audit.entries SET seq = -seq + ? WHERE seq < 0', [delta]],
  ];
}

describe('audit log: writing', () => {
  beforeEach(() => resetSchema());

  it('chains appended entries and verifies them', async () => {
    const log = openLog();
    const first = await log.append(entry(1));
    const second = await log.append(entry(2, { durationMs: 2.6 }));
    expect(first).toMatchObject({ seq: '1', requestId: 'req-1', previousHash: GENESIS_HASH });
    expect(second.previousHash).toBe(first.hash);
    expect(second.durationMs).toBe(3);
    for (let i = 3; i <= 5; i += 1) await log.append(entry(i));
    const report = await log.verify();
    expect(report).toMatchObject({ ok: true, checkedEntries: 5, signaturesChecked: true });
    expect(report.checkedCheckpoints).toBeGreaterThan(0);
  });

  it('refuses entries that carry data values instead of identifiers', async () => {
    const log = openLog();
    await expect(log.append(entry(1, { subjects: ['Nguyễn Văn An'] }))).rejects.toBeInstanceOf(
      AuditInputError,
    );
    await expect(log.append(entry(1, { fields: ['Citizen.fullName=An'] }))).rejects.toThrow(
      /field coordinates/,
    );
    await expect(log.append(entry(1, { requestId: 'a\nb' }))).rejects.toThrow(/control/);
    await expect(log.append(entry(1, { at: new Date('nope') }))).rejects.toThrow(/valid Date/);
    const count = await db.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM audit.entries',
    );
    expect(count.rows[0].n).toBe(0);
  });

  it('groups concurrent appends into few transactions and keeps one chain', async () => {
    const log = openLog();
    let inserts = 0;
    let transactions = 0;
    const count = (query: { sql: string }) => {
      if (/insert into audit\.entries/i.test(query.sql)) inserts += 1;
      if (/^begin/i.test(query.sql)) transactions += 1;
    };
    db.on('query', count);
    const total = 400;
    const started = Date.now();
    const records = await Promise.all(
      Array.from({ length: total }, (_, i) => log.append(entry(i + 1))),
    );
    const elapsed = Date.now() - started;
    db.removeListener('query', count);
    expect(new Set(records.map((record) => record.seq)).size).toBe(total);
    expect(records.map((record) => Number(record.seq)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    expect(inserts).toBeLessThanOrEqual(total / 50);
    expect(transactions).toBe(inserts);
    expect(log.writerCounters()).toMatchObject({ appended: total, batches: inserts, failed: 0 });
    expect(elapsed).toBeLessThan(20_000);
    expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: total });
  });

  it('lets two writers (replicas) extend one chain', async () => {
    // On PostgreSQL each writer has its own pool, as two gateway processes would.
    const other = onPostgres
      ? knex({ client: 'pg', connection: db.client.config.connection, pool: { min: 0, max: 4 } })
      : db;
    try {
      const one = openLog();
      const two = openLog({}, other);
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 ? one : two).append(entry(i + 1))),
      );
      expect(await one.verify()).toMatchObject({ ok: true, checkedEntries: 200 });
    } finally {
      await Promise.all(openLogs.splice(0).map((log) => log.close()));
      if (other !== db) await other.destroy();
    }
  });

  it('signs checkpoints every checkpointEvery entries and on close', async () => {
    const log = openLog({ checkpointEvery: 10 });
    for (let i = 1; i <= 25; i += 1) await log.append(entry(i));
    await log.close();
    const result = await db.raw<{ rows: { seq: string; key_id: string }[] }>(
      'SELECT seq::text AS seq, key_id FROM audit.checkpoints ORDER BY seq',
    );
    expect(result.rows.map((checkpoint) => checkpoint.seq)).toEqual(['1', '11', '21', '25']);
    expect(result.rows.every((checkpoint) => checkpoint.key_id === key.keyId)).toBe(true);
    await expect(log.append(entry(26))).rejects.toBeInstanceOf(AuditUnavailableError);
    const verifier = new AuditLog(db, { verificationKeys: [key.publicKeyPem] });
    expect(await verifier.verify()).toMatchObject({ ok: true, checkedCheckpoints: 4 });
  });

  it('close writes what is still pending', async () => {
    const log = openLog({ flushIntervalMs: 50 });
    const pending = Array.from({ length: 10 }, (_, i) => log.append(entry(i + 1)));
    await log.close();
    expect((await Promise.all(pending)).map((record) => record.seq)).toHaveLength(10);
    expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: 10 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through its trigger', async () => {
    const log = openLog();
    await log.append(entry(1));
    await expect(db.raw("UPDATE audit.entries SET outcome = 'DENIED'")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.raw('DELETE FROM audit.entries')).rejects.toThrow(/append-only/);
    await expect(db.raw('TRUNCATE audit.entries')).rejects.toThrow(/append-only/);
    const partitions = await db.raw<{ rows: { name: string }[] }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit.entries'::regclass`,
    );
    expect(partitions.rows.length).toBeGreaterThanOrEqual(4);
    for (const { name } of partitions.rows) {
      await expect(db.raw(`TRUNCATE audit.${name}`)).rejects.toThrow(/append-only/);
    }
    // Row triggers are cloned onto each partition, so going around the parent does not help.
    const [{ partition }] = (
      await db.raw<{ rows: { partition: string }[] }>(
        'SELECT tableoid::regclass::text AS partition FROM audit.entries',
      )
    ).rows;
    await expect(db.raw(`DELETE FROM ${partition}`)).rejects.toThrow(/append-only/);
    await expect(db.raw(`UPDATE ${partition} SET actor = NULL`)).rejects.toThrow(/append-only/);
    await expect(db.raw("UPDATE audit.checkpoints SET signature = 'x'")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.raw('DELETE FROM audit.checkpoints')).rejects.toThrow(/append-only/);
    expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: 1 });
  });

  it('creates monthly partitions ahead and leaves a month already in the default one', async () => {
    const log = openLog();
    // An entry five months ahead lands in the default partition...
    const ahead = new Date();
    ahead.setUTCMonth(ahead.getUTCMonth() + 5, 15);
    await log.append(entry(1, { at: ahead }));
    await log.append(entry(2));
    // ...so creating that month's partition later fails without losing anything.
    const later = new Date(ahead);
    later.setUTCMonth(later.getUTCMonth() - 1);
    const result = await ensureAuditPartitions(db, { now: later, partitionMonthsAhead: 1 });
    expect(result.created).toHaveLength(1);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].name).toMatch(/^entries_p\d{4}_\d{2}$/);
    const placed = await db.raw<{ rows: { seq: string; partition: string }[] }>(
      'SELECT seq::text AS seq, tableoid::regclass::text AS partition FROM audit.entries ORDER BY 1',
    );
    expect(placed.rows[0].partition).toBe('audit.entries_default');
    expect(placed.rows[1].partition).toMatch(/^audit\.entries_p/);
    expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: 2 });
  });

  itOnPostgres('creates the writer role with INSERT and SELECT only', async () => {
    const result = await db.raw<{ rows: { privilege_type: string }[] }>(
      `SELECT privilege_type FROM information_schema.role_table_grants
        WHERE grantee = 'gateway_audit_writer' AND table_schema = 'audit' AND table_name = 'entries'
        ORDER BY privilege_type`,
    );
    expect(result.rows.map((grant) => grant.privilege_type)).toEqual(['INSERT', 'SELECT']);
  });
});

describe('audit log: tampering is detected', () => {
  const ENTRIES = 20;

  beforeEach(async () => {
    await resetSchema();
    const log = openLog();
    // Three group commits, then the final checkpoint written by close.
    for (const range of [
      [1, 5],
      [6, 12],
      [13, 20],
    ]) {
      const batch = [];
      for (let i = range[0]; i <= range[1]; i += 1) batch.push(log.append(entry(i)));
      await Promise.all(batch);
    }
    await log.close();
    expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: ENTRIES });
  });

  const verify = () => new AuditLog(db, { verificationKeys: [key.publicKey] }).verify();

  it('an edited entry', async () => {
    await tamper(["UPDATE audit.entries SET outcome = 'DENIED' WHERE seq = 7"]);
    expect(await verify()).toMatchObject({
      ok: false,
      problem: 'CHANGED',
      firstBrokenSeq: '7',
      firstBrokenRequestId: 'req-7',
      checkedEntries: 7,
    });
  });

  it('an edited entry whose hash was recomputed', async () => {
    const seven = await row(7);
    const six = await row(6);
    const forged = await forge(7, six.hash, seven.at, 'req-7');
    await tamper(['DELETE FROM audit.entries WHERE seq = 7'], forged.statement);
    expect(await verify()).toMatchObject({
      problem: 'CHANGED',
      firstBrokenSeq: '7',
      firstBrokenRequestId: 'req-7',
    });
  });

  it('a deleted entry', async () => {
    await tamper(['DELETE FROM audit.entries WHERE seq = 9']);
    const report = await verify();
    expect(report).toMatchObject({ ok: false, problem: 'REMOVED', firstBrokenSeq: '9' });
    expect(report.message).toMatch(/Entry 9 is missing/);
  });

  it('a deleted entry with the later ones renumbered and the head moved back', async () => {
    const twenty = await row(20);
    await tamper(['DELETE FROM audit.entries WHERE seq = 9'], ...renumber(10, -1), [
      'UPDATE audit.head SET seq = 19, hash = ?',
      [twenty.hash],
    ]);
    expect(await verify()).toMatchObject({ problem: 'REMOVED', firstBrokenSeq: '9' });
  });

  it('a forged entry inserted in the middle, the later ones renumbered', async () => {
    const nine = await row(9);
    const forged = await forge(10, nine.hash, new Date(nine.at.getTime() + 500), 'forged-1');
    const twenty = await row(20);
    await tamper(...renumber(10, 1), forged.statement, [
      'UPDATE audit.head SET seq = 21, hash = ?',
      [twenty.hash],
    ]);
    expect(await verify()).toMatchObject({
      problem: 'INSERTED',
      firstBrokenSeq: '10',
      firstBrokenRequestId: 'forged-1',
    });
  });

  it('a forged entry sharing the seq of a real one', async () => {
    const nine = await row(9);
    const forged = await forge(10, nine.hash, new Date(BASE - 86_400_000), 'forged-2');
    await tamper(forged.statement);
    expect(await verify()).toMatchObject({
      problem: 'INSERTED',
      firstBrokenSeq: '10',
      firstBrokenRequestId: 'forged-2',
    });
  });

  it('a forged entry appended without the writer', async () => {
    const last = await row(ENTRIES);
    const forged = await forge(ENTRIES + 1, last.hash, new Date(), 'forged-3');
    await tamper(forged.statement);
    expect(await verify()).toMatchObject({
      problem: 'INSERTED',
      firstBrokenSeq: String(ENTRIES + 1),
      firstBrokenRequestId: 'forged-3',
    });
  });

  it('the newest entries dropped and the head moved back to match', async () => {
    const seventeen = await row(17);
    await tamper(
      ['DELETE FROM audit.entries WHERE seq > 17'],
      ['UPDATE audit.head SET seq = 17, hash = ?', [seventeen.hash]],
    );
    const report = await verify();
    expect(report).toMatchObject({ ok: false, problem: 'TRUNCATED', firstBrokenSeq: '18' });
    expect(report.message).toMatch(/entries 18 to 20 were removed/);
  });

  it('the newest entries dropped, the head left alone', async () => {
    await tamper(['DELETE FROM audit.entries WHERE seq > 17']);
    expect(await verify()).toMatchObject({ problem: 'TRUNCATED', firstBrokenSeq: '18' });
  });

  it('a checkpoint with a bad signature', async () => {
    const [checkpoint] = (
      await db.raw<{ rows: { seq: string; signature: string }[] }>(
        'SELECT seq::text AS seq, signature FROM audit.checkpoints ORDER BY seq LIMIT 1',
      )
    ).rows;
    const bytes = Buffer.from(checkpoint.signature, 'base64');
    bytes[0] ^= 0xff;
    await tamper([
      'UPDATE audit.checkpoints SET signature = ? WHERE seq = ?',
      [bytes.toString('base64'), checkpoint.seq],
    ]);
    expect(await verify()).toMatchObject({
      problem: 'BAD_SIGNATURE',
      firstBrokenSeq: checkpoint.seq,
      firstBrokenRequestId: `req-${checkpoint.seq}`,
    });
  });

  it('a whole chain rewritten and re-signed with another key', async () => {
    // Edit entry 15, recompute every later hash and the head, sign a checkpoint of one's own.
    const intruder = loadSigningKey({});
    let previous = (await row(14)).hash;
    const statements: [string, unknown[]][] = [['DELETE FROM audit.entries WHERE seq >= 15', []]];
    for (let seq = 15; seq <= ENTRIES; seq += 1) {
      const forged = await forge(seq, previous, new Date(BASE + seq * 1000), `req-${seq}`);
      statements.push(forged.statement);
      previous = forged.hash;
    }
    await tamper(...statements, ['UPDATE audit.head SET hash = ?', [previous]]);
    expect(await verify()).toMatchObject({ problem: 'CHANGED', firstBrokenSeq: '20' });
    const at = new Date();
    const atText = canonicalTimestamp(at);
    await tamper(
      ['DELETE FROM audit.checkpoints WHERE seq = 20'],
      [
        'INSERT INTO audit.checkpoints VALUES (20, ?, ?::timestamptz, ?, ?)',
        [previous, atText, intruder.keyId, signCheckpoint(intruder, '20', previous, atText)],
      ],
    );
    const report = await verify();
    expect(report).toMatchObject({ problem: 'BAD_SIGNATURE', firstBrokenSeq: '20' });
    expect(report.message).toMatch(/not a trusted key/);
  });

  it('only within the range asked for', async () => {
    await tamper(["UPDATE audit.entries SET outcome = 'DENIED' WHERE seq = 7"]);
    const before = new Date(BASE + 7 * 1000);
    expect(
      await new AuditLog(db, { verificationKeys: [key.publicKey] }).verify({ to: before }),
    ).toMatchObject({ ok: true, checkedEntries: 6 });
    expect(
      await new AuditLog(db, { verificationKeys: [key.publicKey] }).verify({
        from: new Date(BASE + 12 * 1000),
      }),
    ).toMatchObject({ ok: true, checkedEntries: 9 });
    // The entry just before the range is checked too, since the range is chained to it.
    expect(
      await new AuditLog(db, { verificationKeys: [key.publicKey] }).verify({
        from: new Date(BASE + 8 * 1000),
      }),
    ).toMatchObject({ ok: false, problem: 'CHANGED', firstBrokenSeq: '7' });
  });
});

describe('audit log: reading', () => {
  const DAY = 86_400_000;
  const T0 = new Date(Date.UTC(2026, 0, 10, 8));
  let log: AuditLog;

  beforeAll(async () => {
    await resetSchema();
    log = new AuditLog(db, { signingKey: key });
    const entries: AuditEntryInput[] = [];
    for (let i = 1; i <= 30; i += 1) {
      entries.push(
        entry(i, {
          at: new Date(T0.getTime() + i * 3600_000),
          clientId: i % 3 === 0 ? 'demo-ekyc' : 'demo-portal',
          purpose: i % 3 === 0 ? 'EKYC' : 'DEMO',
          caseId: i % 5 === 0 ? `HS-${i}` : null,
          subjects: i % 2 === 0 ? ['001099000001', `0010990${String(i).padStart(5, '0')}`] : [],
          denied: i % 4 === 0 ? ['Citizen.insurance', 'Citizen.landRights'] : [],
          outcome: i % 7 === 0 ? 'DENIED' : i % 4 === 0 ? 'PARTIAL' : 'OK',
          restrictedUntil: i === 10 ? new Date(T0.getTime() + 5 * DAY) : null,
        }),
      );
    }
    for (const input of entries) await log.append(input);
  });

  afterAll(() => log.close());

  it('filters by client, subject, purpose, case, time and outcome, newest first', async () => {
    const byClient = await log.query({ clientId: 'demo-ekyc' }, { first: 100 });
    expect(byClient.entries.map((e) => e.requestId)).toEqual(
      [30, 27, 24, 21, 18, 15, 12, 9, 6, 3].map((i) => `req-${i}`),
    );
    expect(byClient.hasNextPage).toBe(false);
    const bySubject = await log.query({ subjectId: '001099000001' }, { first: 100 });
    expect(bySubject.entries).toHaveLength(15);
    expect((await log.query({ purpose: 'EKYC', outcome: 'DENIED' })).entries).toHaveLength(1);
    expect((await log.query({ caseId: 'HS-15' })).entries.map((e) => e.seq)).toEqual(['15']);
    const window = await log.query(
      { from: new Date(T0.getTime() + 5 * 3600_000), to: new Date(T0.getTime() + 8 * 3600_000) },
      { first: 100 },
    );
    expect(window.entries.map((e) => e.seq)).toEqual(['7', '6', '5']);
    expect(window.entries[0]).toMatchObject({
      requestId: 'req-7',
      outcome: 'DENIED',
      at: new Date(T0.getTime() + 7 * 3600_000),
      fields: ['Citizen.fullName', 'Citizen.dateOfBirth'],
    });
  });

  it('pages with opaque cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await log.query({ clientId: 'demo-portal' }, { first: 7, after });
      pages += 1;
      seen.push(...page.entries.map((e) => e.seq));
      expect(page.cursors).toHaveLength(page.entries.length);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(20);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
    expect((await log.query({}, {})).entries).toHaveLength(20);
    await expect(log.query({}, { first: 101 })).rejects.toBeInstanceOf(AuditInputError);
    await expect(log.query({}, { after: 'not-a-cursor' })).rejects.toThrow(/after/);
  });

  it("hides restricted entries from the citizen's view until their date", async () => {
    const beforeRelease = await log.accessesOf(
      '001099000001',
      { first: 100 },
      { now: new Date(T0.getTime() + 2 * DAY) },
    );
    expect(beforeRelease.entries.map((e) => e.seq)).not.toContain('10');
    expect(beforeRelease.entries).toHaveLength(14);
    const afterRelease = await log.accessesOf(
      '001099000001',
      { first: 100 },
      { now: new Date(T0.getTime() + 6 * DAY) },
    );
    expect(afterRelease.entries.map((e) => e.seq)).toContain('10');
    const own = await log.accessesOf('001099000012', {}, { now: new Date(T0.getTime() + DAY) });
    expect(own.entries.map((e) => e.requestId)).toEqual(['req-12']);
  });

  it('counts per client and purpose, refusals included', async () => {
    const stats = await log.stats();
    expect(stats).toEqual([
      {
        clientId: 'demo-ekyc',
        purpose: 'EKYC',
        total: 10,
        byOutcome: { OK: 7, PARTIAL: 2, DENIED: 1, UNAUTHENTICATED: 0, ERROR: 0 },
        refused: 3,
        deniedFields: 4,
      },
      {
        clientId: 'demo-portal',
        purpose: 'DEMO',
        total: 20,
        byOutcome: { OK: 13, PARTIAL: 4, DENIED: 3, UNAUTHENTICATED: 0, ERROR: 0 },
        refused: 7,
        deniedFields: 10,
      },
    ]);
    const firstHalf = await log.stats({ to: new Date(T0.getTime() + 15 * 3600_000) });
    expect(firstHalf.reduce((sum, row) => sum + row.total, 0)).toBe(14);
  });

  async function exported(format: 'ndjson' | 'csv', from: Date, to: Date) {
    const chunks: string[] = [];
    const sink = new Writable({
      highWaterMark: 64,
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        setImmediate(done);
      },
    });
    const count = await log.export({ from, to, format }, sink);
    return { count, text: chunks.join('') };
  }

  it('exports NDJSON and CSV', async () => {
    const from = new Date(T0.getTime() + 10 * 3600_000);
    const to = new Date(T0.getTime() + 20 * 3600_000);
    const ndjson = await exported('ndjson', from, to);
    expect(ndjson.count).toBe(10);
    const lines = ndjson.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i + 10)),
    );
    expect(lines[0]).toMatchObject({ requestId: 'req-10', caseId: 'HS-10', outcome: 'OK' });
    expect(lines[1].previousHash).toBe(lines[0].hash);

    const csv = await exported('csv', from, to);
    const rows = csv.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'seq,request_id,at,client_id,actor,purpose,case_id,operation,document_hash,subjects,' +
        'fields,denied,outcome,duration_ms,restricted_until,previous_hash,hash,client_request_id',
    );
    expect(rows).toHaveLength(11);
    expect(rows[3].split(',')).toEqual([
      '12',
      'req-12',
      new Date(T0.getTime() + 12 * 3600_000).toISOString(),
      'demo-ekyc',
      'official-7',
      'EKYC',
      '',
      'citizen',
      '',
      '001099000001 001099000012',
      'Citizen.fullName Citizen.dateOfBirth',
      'Citizen.insurance Citizen.landRights',
      'PARTIAL',
      '4',
      '',
      lines[1].hash,
      lines[2].hash,
      '',
    ]);
    const empty = await exported('csv', new Date(to.getTime() + 1), new Date(to.getTime() + 2));
    expect(empty).toMatchObject({ count: 0, text: `${rows[0]}\r\n` });
  });
});

describe('audit log: AUDIT_UNAVAILABLE', () => {
  beforeEach(() => resetSchema());

  it('fails appends while the database refuses writes, then recovers', async () => {
    const log = openLog();
    await log.append(entry(1));
    await db.raw(`
      CREATE FUNCTION audit.test_outage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await db.raw(`CREATE TRIGGER test_outage BEFORE INSERT ON audit.entries
      FOR EACH ROW EXECUTE FUNCTION audit.test_outage()`);
    const failed = await Promise.allSettled([2, 3, 4].map((i) => log.append(entry(i))));
    for (const result of failed) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as AuditUnavailableError;
      expect(reason).toBeInstanceOf(AuditUnavailableError);
      expect(reason.code).toBe('AUDIT_UNAVAILABLE');
    }
    await db.raw('DROP TRIGGER test_outage ON audit.entries');
    const record = await log.append(entry(5));
    expect(record.seq).toBe('2');
    expect(log.writerCounters()).toMatchObject({ appended: 2, failed: 3, failedBatches: 1 });
    expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: 2 });
  });

  it('fails appends once the database handle is closed', async () => {
    const separate = onPostgres
      ? knex({ client: 'pg', connection: db.client.config.connection, log: QUIET })
      : await openEmbedded();
    if (!onPostgres) await migrateAudit(separate);
    const log = new AuditLog(separate, { signingKey: key });
    await log.append(entry(1));
    await separate.destroy();
    await expect(log.append(entry(2))).rejects.toBeInstanceOf(AuditUnavailableError);
    await expect(log.query()).rejects.toBeInstanceOf(AuditUnavailableError);
    await log.close();
  });

  itOnPostgres('fails appends while the database is unreachable, then recovers', async () => {
    const name = `${suiteDatabase ?? 'test'}_outage`;
    const server = admin as Knex;
    await server.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.raw(`CREATE DATABASE ${name}`);
    const target = knex({
      client: 'pg',
      connection: withDatabase(TEST_URL as string, name),
      pool: { min: 0, max: 4 },
      acquireConnectionTimeout: 3000,
      log: QUIET,
    });
    try {
      await migrateAudit(target);
      const log = openLog({ writeTimeoutMs: 3000 }, target);
      await log.append(entry(1));
      await server.raw(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await server.raw(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()',
        [name],
      );
      for (const i of [2, 3]) {
        const failure = await log.append(entry(i)).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(AuditUnavailableError);
      }
      await expect(log.verify()).rejects.toBeInstanceOf(AuditUnavailableError);
      await server.raw(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      const records = await Promise.all([4, 5].map((i) => log.append(entry(i))));
      expect(records.map((record) => record.seq).sort()).toEqual(['2', '3']);
      expect(await log.verify()).toMatchObject({ ok: true, checkedEntries: 3 });
      await log.close();
    } finally {
      await target.destroy();
      await server.raw(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await server.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });

  itOnPostgres('fails appends that wait too long for the chain lock', async () => {
    const log = openLog({ writeTimeoutMs: 300 });
    await log.append(entry(1));
    const holder = knex({
      client: 'pg',
      connection: db.client.config.connection,
      pool: { min: 1, max: 1 },
    });
    try {
      await holder.raw('SELECT pg_advisory_lock(?)', [AUDIT_CHAIN_LOCK_KEY]);
      const started = Date.now();
      await expect(log.append(entry(2))).rejects.toThrow(/did not commit within 300 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
      await holder.raw('SELECT pg_advisory_unlock(?)', [AUDIT_CHAIN_LOCK_KEY]);
      // The late transaction may still commit: an access logged but never released is safe.
      await log.append(entry(3));
      expect(await log.verify()).toMatchObject({ ok: true });
    } finally {
      await holder.destroy();
    }
  });
});

describe('audit log: keys', () => {
  it('loads the signing key from the environment, or generates one', () => {
    const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const loaded = loadSigningKey({ AUDIT_SIGNING_KEY: pem.replace(/\n/g, '\\n') });
    expect(loaded).toMatchObject({ keyId: key.keyId, generated: false });
    const generated = loadSigningKey({});
    expect(generated.generated).toBe(true);
    expect(generated.publicKeyPem).toMatch(/BEGIN PUBLIC KEY/);
    expect(() => loadSigningKey({ AUDIT_SIGNING_KEY: 'nope' })).toThrow(/AUDIT_SIGNING_KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() =>
      loadSigningKey({
        AUDIT_SIGNING_KEY: rsa.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }),
    ).toThrow(/Ed25519/);
    // A generated key kept in a file is the same key after a restart.
    const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    const file = join(dir, 'nested', 'signing-key.pem');
    const kept = loadSigningKey({}, { generatedKeyFile: file });
    expect(loadSigningKey({}, { generatedKeyFile: file })).toMatchObject({
      keyId: kept.keyId,
      generated: true,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
    const keys = loadVerificationKeys({
      AUDIT_PUBLIC_KEY: key.publicKeyPem + generated.publicKeyPem,
    });
    expect(keys).toHaveLength(2);
  });
});
