import type { Knex } from 'knex';

const SCHEMA = 'reference';

/**
 * Old communes split between several new ones (161 new communes took parts of old communes):
 * each further successor with the villages or streets it took. The main successor stays in
 * legacy_units.successor_code.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('legacy_successors', (t) => {
    t.string('legacy_code', 5).notNullable().index();
    t.string('successor_code', 5).notNullable();
    t.text('part').notNullable(); // a village (thôn) or residential group (tổ dân phố) of the old commune
    t.primary(['legacy_code', 'successor_code', 'part']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).dropTable('legacy_successors');
}
