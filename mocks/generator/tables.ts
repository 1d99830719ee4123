import type { DatabaseName } from '../databases';

/**
 * The columns the generator fills, per table, in the order of its rows. They mirror the
 * migrations under mocks/<database>/migrations; a column left out keeps its default.
 */
export const TABLE_COLUMNS = {
  'reference.units': ['code', 'name', 'level', 'kind', 'province_code', 'valid_from', 'updated_at'],
  'reference.legacy_units': [
    'code',
    'name',
    'level',
    'kind',
    'parent_code',
    'successor_code',
    'valid_until',
  ],
  'reference.legacy_successors': ['legacy_code', 'successor_code', 'part'],
  'population.households': ['id', 'head_citizen_id', 'commune_code', 'street', 'updated_at'],
  'population.citizens': [
    'id',
    'full_name',
    'date_of_birth',
    'sex',
    'ethnicity',
    'religion',
    'nationality',
    'birth_province_code',
    'hometown_commune_code',
    'household_id',
    'household_relation',
    'permanent_street',
    'permanent_commune_code',
    'permanent_legacy_commune_code',
    'permanent_registered_on',
    'temporary_street',
    'temporary_commune_code',
    'father_id',
    'mother_id',
    'spouse_id',
    'marital_status',
    'died_on',
    'updated_at',
  ],
  'population.identity_cards': ['citizen_id', 'issued_on', 'expires_on', 'issued_by', 'updated_at'],
  'enterprise.enterprise_types': ['code', 'name'],
  'enterprise.industry_codes': ['code', 'name'],
  'enterprise.enterprises': [
    'code',
    'name',
    'foreign_name',
    'short_name',
    'type_code',
    'status',
    'founded_on',
    'charter_capital',
    'head_office_street',
    'head_office_commune_code',
    'phone',
    'email',
    'updated_at',
  ],
  'enterprise.enterprise_people': [
    'enterprise_code',
    'citizen_id',
    'role',
    'title',
    'capital_share',
    'since',
    'updated_at',
  ],
  'enterprise.enterprise_business_lines': ['enterprise_code', 'industry_code', 'is_main'],
  'enterprise.branches': [
    'code',
    'enterprise_code',
    'name',
    'kind',
    'street',
    'commune_code',
    'status',
    'updated_at',
  ],
  'land.parcels': [
    'id',
    'commune_code',
    'map_sheet',
    'parcel_number',
    'area',
    'land_use_code',
    'use_term',
    'use_until',
    'street',
    'updated_at',
  ],
  'land.certificates': [
    'serial',
    'parcel_id',
    'book_entry',
    'issued_on',
    'issued_by',
    'updated_at',
  ],
  'land.holders': [
    'parcel_id',
    'holder_kind',
    'holder_id',
    'share',
    'certificate_serial',
    'since',
    'updated_at',
  ],
  'land.mortgages': [
    'id',
    'parcel_id',
    'mortgagee',
    'secured_amount',
    'registered_on',
    'released_on',
    'updated_at',
  ],
  'insurance.insurance_records': [
    'social_insurance_number',
    'citizen_id',
    'registered_on',
    'status',
    'updated_at',
  ],
  'insurance.contributions': [
    'id',
    'social_insurance_number',
    'employer_code',
    'from_month',
    'to_month',
    'monthly_salary',
    'scheme',
    'updated_at',
  ],
  'insurance.health_cards': [
    'card_number',
    'social_insurance_number',
    'beneficiary_group',
    'benefit_level',
    'province_code',
    'registered_facility',
    'valid_from',
    'valid_to',
    'updated_at',
  ],
  'civil_service.agencies': ['code', 'name', 'level', 'province_code', 'parent_code', 'updated_at'],
  'civil_service.ranks': ['code', 'name', 'category'],
  'civil_service.civil_servants': [
    'code',
    'citizen_id',
    'agency_code',
    'position',
    'rank_code',
    'salary_grade',
    'salary_coefficient',
    'employment',
    'started_on',
    'status',
    'updated_at',
  ],
  'finance.tax_offices': ['code', 'name', 'province_code', 'updated_at'],
  'finance.taxpayers': [
    'tax_code',
    'kind',
    'name',
    'tax_office_code',
    'registered_on',
    'status',
    'obligations_fulfilled',
    'outstanding_amount',
    'obligations_as_of',
    'updated_at',
  ],
} as const;

export type TableName = keyof typeof TABLE_COLUMNS;
export const TABLE_NAMES = Object.keys(TABLE_COLUMNS) as TableName[];

/** A column value as loaded: dates, timestamps and decimals are already formatted strings. */
export type Value = string | number | boolean | null;
export type Row = Value[];
/** Rows for every table, in TABLE_COLUMNS order. */
export type Batch = Record<TableName, Row[]>;

export function emptyBatch(): Batch {
  const batch = {} as Batch;
  for (const name of TABLE_NAMES) batch[name] = [];
  return batch;
}

export function databaseOf(table: TableName): DatabaseName {
  return table.slice(0, table.indexOf('.')) as DatabaseName;
}

/** Rows as objects keyed by column name, for tests and tools (never on the hot path). */
export function rowObjects(table: TableName, rows: readonly Row[]): Record<string, Value>[] {
  const columns = TABLE_COLUMNS[table];
  return rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i]])));
}
