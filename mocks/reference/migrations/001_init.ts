import type { Knex } from 'knex';

const SCHEMA = 'reference';

/** Administrative units after the 1 July 2025 two-tier reorganisation, and the pre-2025 units they replaced. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('units', (t) => {
    t.string('code', 5).primary(); // 2 digits (province) or 5 digits (commune)
    t.text('name').notNullable();
    t.string('level', 10).notNullable(); // PROVINCE | COMMUNE
    t.string('kind', 16).notNullable(); // CITY | PROVINCE | WARD | COMMUNE | SPECIAL_ZONE
    t.string('province_code', 2); // for communes
    t.date('valid_from').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('legacy_units', (t) => {
    t.string('code', 5).primary(); // 2 digits (province), 3 (district) or 5 (commune)
    t.text('name').notNullable();
    t.string('level', 10).notNullable(); // PROVINCE | DISTRICT | COMMUNE
    t.string('kind', 16).notNullable();
    t.string('parent_code', 5); // district of a commune, province of a district
    t.string('successor_code', 5).notNullable().index(); // the current unit that took it over
    t.date('valid_until').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).dropTable('legacy_units');
  await knex.schema.withSchema(SCHEMA).dropTable('units');
}
