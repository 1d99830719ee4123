import type { Knex } from 'knex';

const SCHEMA = 'enterprise';

/** National business registration database (Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('enterprise_types', (t) => {
    t.string('code', 8).primary();
    t.text('name').notNullable();
  });
  await knex.schema.withSchema(SCHEMA).createTable('industry_codes', (t) => {
    t.string('code', 5).primary(); // VSIC 2018 (Hệ thống ngành kinh tế Việt Nam), level 4
    t.text('name').notNullable();
  });
  await knex.schema.withSchema(SCHEMA).createTable('enterprises', (t) => {
    t.string('code', 10).primary(); // mã số doanh nghiệp, also the tax code
    t.text('name').notNullable();
    t.text('foreign_name');
    t.text('short_name');
    t.string('type_code', 8).notNullable();
    t.string('status', 16).notNullable(); // ACTIVE | SUSPENDED | IN_DISSOLUTION | DISSOLVED | BANKRUPT
    t.date('founded_on').notNullable();
    t.bigInteger('charter_capital').notNullable(); // VND
    t.text('head_office_street').notNullable();
    t.string('head_office_commune_code', 5).notNullable();
    t.text('phone');
    t.text('email');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('enterprise_people', (t) => {
    t.string('enterprise_code', 10).notNullable().index();
    t.string('citizen_id', 12).notNullable().index();
    t.string('role', 24).notNullable(); // LEGAL_REPRESENTATIVE | OWNER | MEMBER | SHAREHOLDER
    t.text('title'); // chức danh, for representatives
    t.decimal('capital_share', 5, 2); // percent, for owners and members
    t.date('since').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['enterprise_code', 'citizen_id', 'role']);
  });
  await knex.schema.withSchema(SCHEMA).createTable('enterprise_business_lines', (t) => {
    t.string('enterprise_code', 10).notNullable().index();
    t.string('industry_code', 5).notNullable();
    t.boolean('is_main').notNullable();
    t.primary(['enterprise_code', 'industry_code']);
  });
  await knex.schema.withSchema(SCHEMA).createTable('branches', (t) => {
    t.string('code', 14).primary(); // enterprise code, '-', 3 digits
    t.string('enterprise_code', 10).notNullable().index();
    t.text('name').notNullable();
    t.string('kind', 16).notNullable(); // BRANCH | REPRESENTATIVE_OFFICE | BUSINESS_LOCATION
    t.text('street').notNullable();
    t.string('commune_code', 5).notNullable();
    t.string('status', 16).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'branches',
    'enterprise_business_lines',
    'enterprise_people',
    'enterprises',
    'industry_codes',
    'enterprise_types',
  ]) {
    await knex.schema.withSchema(SCHEMA).dropTable(table);
  }
}
