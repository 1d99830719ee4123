import type { Knex } from 'knex';

const SCHEMA = 'population';

/** Population database (Cơ sở dữ liệu quốc gia về dân cư): citizens, households, identity cards. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('households', (t) => {
    t.string('id', 12).primary(); // household registration number (số hộ khẩu / mã hộ)
    t.string('head_citizen_id', 12).notNullable();
    t.string('commune_code', 5).notNullable();
    t.text('street').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('citizens', (t) => {
    t.string('id', 12).primary(); // personal identification number (số định danh cá nhân)
    t.text('full_name').notNullable();
    t.date('date_of_birth').notNullable();
    t.string('sex', 6).notNullable(); // MALE | FEMALE
    t.text('ethnicity').notNullable();
    t.text('religion').notNullable();
    t.string('nationality', 2).notNullable().defaultTo('VN');
    t.string('birth_province_code', 2).notNullable(); // pre-2025 province of birth registration
    t.string('hometown_commune_code', 5).notNullable(); // quê quán, current commune
    t.string('household_id', 12).notNullable().index();
    t.string('household_relation', 16).notNullable(); // HEAD | SPOUSE | CHILD | PARENT | OTHER
    t.text('permanent_street').notNullable(); // thường trú
    t.string('permanent_commune_code', 5).notNullable();
    t.string('permanent_legacy_commune_code', 5); // pre-2025 ward/commune, when registered before 1 July 2025
    t.date('permanent_registered_on').notNullable();
    t.text('temporary_street'); // tạm trú
    t.string('temporary_commune_code', 5);
    t.string('father_id', 12).index();
    t.string('mother_id', 12).index();
    t.string('spouse_id', 12);
    t.string('marital_status', 10).notNullable(); // SINGLE | MARRIED | DIVORCED | WIDOWED
    t.date('died_on');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('identity_cards', (t) => {
    t.string('citizen_id', 12).primary(); // căn cước: the card number is the personal id
    t.date('issued_on').notNullable();
    t.date('expires_on'); // null: no expiry (issued after age 60)
    t.text('issued_by').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).dropTable('identity_cards');
  await knex.schema.withSchema(SCHEMA).dropTable('citizens');
  await knex.schema.withSchema(SCHEMA).dropTable('households');
}
