import type { Knex } from 'knex';
import { GENESIS_HASH } from './canonical';
import { AUDIT_OUTCOMES } from './types';

/** The PostgreSQL schema that holds the access log. */
export const AUDIT_SCHEMA = 'audit';

/** The role a gateway's login role should be a member of: it may insert and read, nothing more. */
export const AUDIT_WRITER_ROLE = 'gateway_audit_writer';

// Serialises partition creation between replicas; the chain writer uses a different key.
const PARTITION_LOCK_KEY = 7_305_801_002;

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const TRUNCATE_GUARD = (table: string) =>
  `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON audit.${table}
     FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`;

/**
 * Revokes what PUBLIC could be given on the log and grants the writer role its minimum. Each
 * statement is tolerated when the migrating user lacks the privilege (a managed database, a
 * non-superuser owner): the trigger still refuses changes, the roles are defence in depth.
 */
function privilegesSql(tables: string[]): string {
  const list = tables.map((table) => `audit.${table}`).join(', ');
  return `DO $$
BEGIN
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_WRITER_ROLE}') THEN
      CREATE ROLE ${AUDIT_WRITER_ROLE} NOLOGIN;
    END IF;
  EXCEPTION WHEN insufficient_privilege OR duplicate_object OR unique_violation THEN
    RAISE NOTICE 'audit: role ${AUDIT_WRITER_ROLE} not created (%)', SQLERRM;
  END;
  BEGIN
    REVOKE UPDATE, DELETE, TRUNCATE ON ${list} FROM PUBLIC;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'audit: privileges not revoked (%)', SQLERRM;
  END;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_WRITER_ROLE}') THEN
    BEGIN
      GRANT USAGE ON SCHEMA audit TO ${AUDIT_WRITER_ROLE};
      GRANT SELECT, INSERT ON ${list} TO ${AUDIT_WRITER_ROLE};
      REVOKE UPDATE, DELETE, TRUNCATE ON ${list} FROM ${AUDIT_WRITER_ROLE};
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'audit: privileges not granted to ${AUDIT_WRITER_ROLE} (%)', SQLERRM;
    END;
  END IF;
END $$`;
}

const init: Migration = {
  async up(knex) {
    const outcomes = AUDIT_OUTCOMES.map((outcome) => `'${outcome}'`).join(', ');
    // Partitioned by month of `at`, so old months can be archived and detached whole and time
    // ranges scan only their months. The key must be part of the primary key, hence (seq, at):
    // uniqueness of seq alone is kept by the single writer and checked by verify.
    await knex.raw(`
      CREATE TABLE audit.entries (
        seq bigint NOT NULL,
        request_id text NOT NULL,
        at timestamptz NOT NULL,
        client_id text NOT NULL,
        actor text,
        purpose text,
        case_id text,
        operation text,
        document_hash text,
        subjects text[] NOT NULL,
        fields text[] NOT NULL,
        denied text[] NOT NULL,
        outcome text NOT NULL CHECK (outcome IN (${outcomes})),
        duration_ms integer NOT NULL,
        restricted_until timestamptz,
        previous_hash text NOT NULL,
        hash text NOT NULL,
        PRIMARY KEY (seq, at)
      ) PARTITION BY RANGE (at)`);
    // Catches entries outside the monthly partitions (a clock far off, a month not yet created).
    await knex.raw('CREATE TABLE audit.entries_default PARTITION OF audit.entries DEFAULT');
    await knex.raw('CREATE INDEX entries_subjects ON audit.entries USING gin (subjects)');
    await knex.raw('CREATE INDEX entries_client ON audit.entries (client_id, seq)');
    await knex.raw('CREATE INDEX entries_at ON audit.entries (at)');
    await knex.raw(
      'CREATE INDEX entries_case ON audit.entries (case_id) WHERE case_id IS NOT NULL',
    );

    await knex.raw(`
      CREATE TABLE audit.head (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        seq bigint NOT NULL,
        hash text NOT NULL,
        checkpoint_seq bigint NOT NULL DEFAULT 0,
        checkpoint_at timestamptz
      )`);
    await knex.raw('INSERT INTO audit.head (seq, hash) VALUES (0, ?)', [GENESIS_HASH]);

    await knex.raw(`
      CREATE TABLE audit.checkpoints (
        seq bigint PRIMARY KEY,
        hash text NOT NULL,
        at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL
      )`);

    await knex.raw(`
      CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Row triggers on a partitioned table are cloned onto every partition, present and future;
    // statement (TRUNCATE) triggers are not, so each partition gets its own.
    for (const table of ['entries', 'checkpoints']) {
      await knex.raw(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON audit.${table}
          FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
      await knex.raw(TRUNCATE_GUARD(table));
    }
    await knex.raw(TRUNCATE_GUARD('entries_default'));

    await knex.raw(privilegesSql(['entries', 'entries_default', 'checkpoints']));
    await knex.raw(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_WRITER_ROLE}') THEN
          GRANT SELECT, UPDATE ON audit.head TO ${AUDIT_WRITER_ROLE};
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'audit: privileges on audit.head not granted (%)', SQLERRM;
      END $$`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE IF EXISTS audit.checkpoints, audit.head, audit.entries CASCADE');
    await knex.raw('DROP FUNCTION IF EXISTS audit.refuse_change()');
  },
};

/** The client's own request id, beside the gateway's (entries before it hash without one). */
const clientRequestId: Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE audit.entries ADD COLUMN IF NOT EXISTS client_request_id text');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE audit.entries DROP COLUMN IF EXISTS client_request_id');
  },
};

/**
 * The console pages the log newest first under a purpose or an outcome: without these, a rare
 * purpose or outcome walks the whole log backwards looking for a page's worth (seconds on
 * millions of entries); with them, each partition's index yields its newest matches at once.
 */
const consoleIndexes: Migration = {
  async up(knex) {
    await knex.raw('CREATE INDEX IF NOT EXISTS entries_purpose ON audit.entries (purpose, seq)');
    await knex.raw('CREATE INDEX IF NOT EXISTS entries_outcome ON audit.entries (outcome, seq)');
  },
  async down(knex) {
    await knex.raw('DROP INDEX IF EXISTS audit.entries_purpose, audit.entries_outcome');
  },
};

/** The subgraphs' entries of a request, in the federated gateway's entry (null: none). */
const providerEntries: Migration = {
  async up(knex) {
    await knex.raw('ALTER TABLE audit.entries ADD COLUMN IF NOT EXISTS provider_entries text[]');
  },
  async down(knex) {
    await knex.raw('ALTER TABLE audit.entries DROP COLUMN IF EXISTS provider_entries');
  },
};

const MIGRATIONS: Record<string, Migration> = {
  '001_init': init,
  '002_client_request_id': clientRequestId,
  '003_console_indexes': consoleIndexes,
  '004_provider_entries': providerEntries,
};

/** Options of `migrateAudit`. */
export interface MigrateAuditOptions {
  /** The moment partitions are created around; now by default. */
  now?: Date;
  /** Monthly partitions created ahead of the current month (default 2). */
  partitionMonthsAhead?: number;
}

/**
 * Brings the `audit` schema to its latest migration (idempotent) and creates the monthly
 * partitions around now. Run it as the schema owner, not as the gateway's writer role.
 */
export async function migrateAudit(
  knex: Knex,
  options: MigrateAuditOptions = {},
): Promise<PartitionMaintenance> {
  await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${AUDIT_SCHEMA}`);
  await knex.migrate.latest({
    schemaName: AUDIT_SCHEMA,
    tableName: 'knex_migrations',
    migrationSource: {
      getMigrations: async () => Object.keys(MIGRATIONS).sort(),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => MIGRATIONS[name],
    },
  });
  // A partition that cannot be created is not fatal: its month stays in the default partition.
  return ensureAuditPartitions(knex, options);
}

/** What `ensureAuditPartitions` did. */
export interface PartitionMaintenance {
  created: string[];
  failed: { name: string; error: string }[];
}

function monthStart(year: number, month: number): Date {
  return new Date(Date.UTC(year, month, 1));
}

/**
 * Creates the monthly partitions of `audit.entries` from the current month to `monthsAhead`
 * months later, where missing. A month whose entries already went to the default partition is
 * left there (reported in `failed`); nothing is lost either way.
 */
export async function ensureAuditPartitions(
  knex: Knex,
  options: MigrateAuditOptions = {},
): Promise<PartitionMaintenance> {
  const now = options.now ?? new Date();
  const ahead = options.partitionMonthsAhead ?? 2;
  const months = Array.from({ length: ahead + 1 }, (_, i) => {
    const from = monthStart(now.getUTCFullYear(), now.getUTCMonth() + i);
    const to = monthStart(from.getUTCFullYear(), from.getUTCMonth() + 1);
    const name = `entries_p${from.getUTCFullYear()}_${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
    return { name, from, to };
  });
  const existing = new Set(
    (
      await knex.raw<{ rows: { relname: string }[] }>(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = ? AND c.relname = ANY(?::text[])`,
        [AUDIT_SCHEMA, `{${months.map((month) => month.name).join(',')}}`],
      )
    ).rows.map((row) => row.relname),
  );
  const result: PartitionMaintenance = { created: [], failed: [] };
  for (const month of months) {
    if (existing.has(month.name)) continue;
    try {
      await knex.transaction(async (trx) => {
        await trx.raw('SELECT pg_advisory_xact_lock(?)', [PARTITION_LOCK_KEY]);
        const found = await trx.raw<{ rows: unknown[] }>(
          `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ?`,
          [AUDIT_SCHEMA, month.name],
        );
        if (found.rows.length > 0) return;
        await trx.raw(
          `CREATE TABLE audit.${month.name} PARTITION OF audit.entries
             FOR VALUES FROM ('${month.from.toISOString()}') TO ('${month.to.toISOString()}')`,
        );
        await trx.raw(TRUNCATE_GUARD(month.name));
        await trx.raw(privilegesSql([month.name]));
        result.created.push(month.name);
      });
    } catch (error) {
      result.failed.push({ name: month.name, error: (error as Error).message });
    }
  }
  return result;
}
