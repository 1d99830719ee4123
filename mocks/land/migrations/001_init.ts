import type { Knex } from 'knex';

const SCHEMA = 'land';

/** National land database (Cơ sở dữ liệu quốc gia về đất đai): parcels, certificates, holders, mortgages. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(SCHEMA).createTable('parcels', (t) => {
    t.string('id', 24).primary(); // commune code-map sheet-parcel number (thửa đất số, tờ bản đồ số)
    t.string('commune_code', 5).notNullable();
    t.integer('map_sheet').notNullable();
    t.integer('parcel_number').notNullable();
    t.decimal('area', 12, 1).notNullable(); // m²
    t.string('land_use_code', 4).notNullable(); // ODT, ONT, LUC, CLN, SKC, TMD ... (mục đích sử dụng)
    t.string('use_term', 12).notNullable(); // LONG_TERM | LIMITED
    t.date('use_until');
    t.text('street').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('certificates', (t) => {
    t.string('serial', 12).primary(); // số phát hành, e.g. "DA 123456"
    t.string('parcel_id', 24).notNullable().index();
    t.string('book_entry', 16).notNullable(); // số vào sổ cấp GCN
    t.date('issued_on').notNullable();
    t.text('issued_by').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(SCHEMA).createTable('holders', (t) => {
    t.string('parcel_id', 24).notNullable().index();
    t.string('holder_kind', 10).notNullable(); // CITIZEN | ENTERPRISE
    t.string('holder_id', 14).notNullable();
    t.decimal('share', 5, 2).notNullable(); // percent of the right
    t.string('certificate_serial', 12).notNullable();
    t.date('since').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['parcel_id', 'holder_kind', 'holder_id']);
    t.index(['holder_kind', 'holder_id']);
  });
  await knex.schema.withSchema(SCHEMA).createTable('mortgages', (t) => {
    t.string('id', 16).primary(); // registration number (số đăng ký thế chấp)
    t.string('parcel_id', 24).notNullable().index();
    t.text('mortgagee').notNullable(); // bên nhận thế chấp, usually a bank
    t.bigInteger('secured_amount').notNullable(); // VND
    t.date('registered_on').notNullable();
    t.date('released_on');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['mortgages', 'holders', 'certificates', 'parcels'])
    await knex.schema.withSchema(SCHEMA).dropTable(table);
}
