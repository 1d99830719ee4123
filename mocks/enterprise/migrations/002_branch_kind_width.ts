import type { Knex } from 'knex';

/** Widens branches.kind to hold REPRESENTATIVE_OFFICE and BUSINESS_LOCATION. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE enterprise.branches ALTER COLUMN kind TYPE varchar(24)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE enterprise.branches ALTER COLUMN kind TYPE varchar(16)');
}
