import type { Knex } from 'knex';

const SCHEMA = 'insurance';

/** Social and health insurance database (Cơ sở dữ liệu quốc gia về bảo hiểm), behind the agency's HTTP service. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('insurance_records', (t) => {
    t.string('social_insurance_number', 10).primary(); // mã số BHXH
    t.string('citizen_id', 12).notNullable().unique();
    t.date('registered_on').notNullable();
    t.string('status', 12).notNullable(); // CONTRIBUTING | PAUSED | RETIRED | CLOSED | DECEASED
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('contributions', (t) => {
    t.bigIncrements('id');
    t.string('social_insurance_number', 10).notNullable().index();
    t.string('employer_code', 10).notNullable(); // enterprise code of the employer
    t.date('from_month').notNullable();
    t.date('to_month'); // null: still contributing
    t.bigInteger('monthly_salary').notNullable(); // VND, the salary contributions are based on
    t.string('scheme', 12).notNullable(); // COMPULSORY | VOLUNTARY
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('health_cards', (t) => {
    t.string('card_number', 15).primary(); // mã thẻ BHYT
    t.string('social_insurance_number', 10).notNullable().index();
    t.string('beneficiary_group', 2).notNullable();
    t.integer('benefit_level').notNullable(); // 1..5
    t.string('province_code', 2).notNullable();
    t.text('registered_facility').notNullable(); // nơi đăng ký khám chữa bệnh ban đầu
    t.date('valid_from').notNullable();
    t.date('valid_to').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['health_cards', 'contributions', 'insurance_records'])
    await knex.schema.withSchema(SCHEMA).dropTable(table);
}
