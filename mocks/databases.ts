import type { Knex } from 'knex';
import * as population from './population/migrations/001_init';
import * as enterprise from './enterprise/migrations/001_init';
import * as branchKindWidth from './enterprise/migrations/002_branch_kind_width';
import * as land from './land/migrations/001_init';
import * as insurance from './insurance/migrations/001_init';
import * as civilService from './civil-service/migrations/001_init';
import * as employmentWidth from './civil-service/migrations/002_employment_width';
import * as reference from './reference/migrations/001_init';
import * as legacySuccessors from './reference/migrations/002_legacy_successors';
import * as finance from './finance/migrations/001_init';

import { NATIONAL_DATABASES, type DatabaseName } from '../adapters/databases';

export { NATIONAL_DATABASES, type DatabaseName };

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const MIGRATIONS: Record<DatabaseName, Record<string, Migration>> = {
  population: { '001_init': population },
  enterprise: { '001_init': enterprise, '002_branch_kind_width': branchKindWidth },
  land: { '001_init': land },
  insurance: { '001_init': insurance },
  civil_service: { '001_init': civilService, '002_employment_width': employmentWidth },
  reference: { '001_init': reference, '002_legacy_successors': legacySuccessors },
  finance: { '001_init': finance },
};

/** Brings one national database's schema to its latest migration (idempotent). */
export async function migrate(knex: Knex, database: DatabaseName): Promise<void> {
  await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${database}`);
  const migrations = MIGRATIONS[database];
  await knex.migrate.latest({
    schemaName: database,
    tableName: 'knex_migrations',
    migrationSource: {
      getMigrations: async () => Object.keys(migrations).sort(),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => migrations[name],
    },
  });
}
