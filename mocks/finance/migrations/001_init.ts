import type { Knex } from 'knex';

const SCHEMA = 'finance';

/**
 * Tax registration database of the Ministry of Finance (cơ sở dữ liệu về thuế): taxpayers, the
 * tax office managing each, and whether its tax obligations are fulfilled. An enterprise's tax
 * code is its enterprise code; a person's, since 1 July 2025, their personal identification number.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('tax_offices', (t) => {
    t.string('code', 5).primary();
    t.text('name').notNullable();
    t.string('province_code', 2).notNullable(); // the current province it serves
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('taxpayers', (t) => {
    t.string('tax_code', 14).primary(); // enterprise code (10 digits, -3 for a unit) or citizen id (12)
    t.string('kind', 12).notNullable(); // ENTERPRISE | INDIVIDUAL
    t.text('name').notNullable();
    t.string('tax_office_code', 5).notNullable();
    t.date('registered_on').notNullable();
    t.string('status', 16).notNullable(); // ACTIVE | SUSPENDED | CLOSING | CLOSED | NOT_AT_ADDRESS
    t.boolean('obligations_fulfilled').notNullable();
    t.decimal('outstanding_amount', 18, 0).notNullable().defaultTo(0); // VND owed
    t.date('obligations_as_of').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['taxpayers', 'tax_offices'])
    await knex.schema.withSchema(SCHEMA).dropTable(table);
}
