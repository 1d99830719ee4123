import type { Knex } from 'knex';

const SCHEMA = 'civil_service';

/** Civil servants database (Cơ sở dữ liệu quốc gia về cán bộ, công chức, viên chức). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('agencies', (t) => {
    t.string('code', 12).primary();
    t.text('name').notNullable();
    t.string('level', 10).notNullable(); // CENTRAL | PROVINCE | COMMUNE
    t.string('province_code', 2);
    t.string('parent_code', 12);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('ranks', (t) => {
    t.string('code', 8).primary(); // mã ngạch, e.g. 01.003 (chuyên viên)
    t.text('name').notNullable();
    t.string('category', 4).notNullable(); // A3, A2, A1, A0, B, C
  });
  await knex.schema.withSchema(SCHEMA).createTable('civil_servants', (t) => {
    t.string('code', 10).primary(); // CC + 8 digits
    t.string('citizen_id', 12).notNullable().unique();
    t.string('agency_code', 12).notNullable().index();
    t.text('position').notNullable(); // chức vụ
    t.string('rank_code', 8).notNullable(); // ngạch
    t.integer('salary_grade').notNullable(); // bậc lương
    t.decimal('salary_coefficient', 4, 2).notNullable(); // hệ số lương
    t.string('employment', 12).notNullable(); // CIVIL_SERVANT | PUBLIC_EMPLOYEE (công chức | viên chức)
    t.date('started_on').notNullable();
    t.string('status', 10).notNullable(); // SERVING | RETIRED | SUSPENDED
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['civil_servants', 'ranks', 'agencies'])
    await knex.schema.withSchema(SCHEMA).dropTable(table);
}
