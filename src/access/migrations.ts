import type { Knex } from 'knex';

/** The PostgreSQL schema that holds the gateway's clients, purposes, consents and operations. */
export const ACCESS_SCHEMA = 'gateway';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const init: Migration = {
  async up(knex) {
    await knex.raw(`
      CREATE TABLE gateway.clients (
        id text PRIMARY KEY,
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        key_hint text NOT NULL,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'REVOKED')),
        auditor boolean NOT NULL DEFAULT false,
        persisted_only boolean NOT NULL DEFAULT false,
        rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        rotated_at timestamptz
      )`);
    await knex.raw(`
      CREATE TABLE gateway.client_purposes (
        client_id text NOT NULL REFERENCES gateway.clients (id) ON DELETE CASCADE,
        purpose text NOT NULL,
        fields text[] NOT NULL DEFAULT '{}',
        requires_consent boolean NOT NULL DEFAULT false,
        actor_visible boolean NOT NULL DEFAULT true,
        restricted_days integer CHECK (restricted_days > 0),
        PRIMARY KEY (client_id, purpose)
      )`);
    // Consents are history: a client is revoked, never deleted, so the reference always holds.
    await knex.raw(`
      CREATE TABLE gateway.consents (
        id uuid PRIMARY KEY,
        citizen_id text NOT NULL,
        client_id text NOT NULL REFERENCES gateway.clients (id),
        purpose text NOT NULL,
        fields text[] NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        until timestamptz,
        revoked_at timestamptz
      )`);
    await knex.raw(
      'CREATE INDEX consents_client_purpose_citizen ON gateway.consents (client_id, purpose, citizen_id)',
    );
    await knex.raw('CREATE INDEX consents_citizen ON gateway.consents (citizen_id, granted_at)');
    await knex.raw(`
      CREATE TABLE gateway.persisted_operations (
        client_id text NOT NULL REFERENCES gateway.clients (id) ON DELETE CASCADE,
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        document text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, hash)
      )`);
  },
  async down(knex) {
    await knex.raw('DROP TABLE gateway.persisted_operations');
    await knex.raw('DROP TABLE gateway.consents');
    await knex.raw('DROP TABLE gateway.client_purposes');
    await knex.raw('DROP TABLE gateway.clients');
  },
};

const MIGRATIONS: Record<string, Migration> = { '001_init': init };

const LOCK_RETRIES = 50;
const LOCK_WAIT_MS = 200;

/** Races between replicas migrating at once: the lock is held, or the lock table was just made. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  return error.name === 'MigrationLocked' || code === '42P07' || code === '23505';
}

/**
 * Brings the `gateway` schema to its latest migration (idempotent). Replicas starting together
 * wait for the one holding knex's migration lock instead of failing.
 */
export async function migrateAccess(knex: Knex): Promise<void> {
  // CREATE SCHEMA needs the CREATE privilege even with IF NOT EXISTS; a gateway role that
  // does not own the database can still start once the schema exists.
  const existing = await knex.raw('SELECT 1 FROM pg_namespace WHERE nspname = ?', [ACCESS_SCHEMA]);
  if (existing.rows.length === 0) {
    try {
      await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${ACCESS_SCHEMA}`);
    } catch (error) {
      // Another replica created it between the check and here.
      if ((error as { code?: string }).code !== '23505') throw error;
    }
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      await knex.migrate.latest({
        schemaName: ACCESS_SCHEMA,
        tableName: 'knex_migrations',
        migrationSource: {
          getMigrations: async () => Object.keys(MIGRATIONS).sort(),
          getMigrationName: (name: string) => name,
          getMigration: async (name: string) => MIGRATIONS[name],
        },
      });
      return;
    } catch (error) {
      if (!isRetryable(error) || attempt >= LOCK_RETRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, LOCK_WAIT_MS));
    }
  }
}
