import type { Knex } from 'knex';

/** Widens civil_servants.employment to hold CIVIL_SERVANT and PUBLIC_EMPLOYEE. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE civil_service.civil_servants ALTER COLUMN employment TYPE varchar(24)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE civil_service.civil_servants ALTER COLUMN employment TYPE varchar(12)',
  );
}
