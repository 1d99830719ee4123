import { DATA_AS_OF, day, isoDate, timestamp } from './dates';
import type { Geography } from './geography';
import { Random, Stream } from './random';
import { TABLE_COLUMNS, type Batch, type Row, type TableName } from './tables';

/**
 * The tax registration database (finance), derived from the rows the other databases got in the
 * same chunk so that the two agree: every enterprise is a taxpayer under its enterprise code, and
 * so is every person who earns (an enterprise role, a civil service post, a social insurance
 * record) and some others, under their personal identification number. Its own random stream,
 * so adding it changed no row of the other databases.
 */

const DAY_2005 = day(2005, 1, 1);

/** The tax office of each current province (names as the 2025 reorganisation of the tax offices gives them). */
export function taxOfficeRows(geography: Geography, seed: number): Row[] {
  const random = new Random(Stream.finance, seed, 0);
  return geography.provinces.map((p) => [
    taxOfficeCode(p.code),
    `Thuế ${p.fullName.replace(/^Thành phố /, 'thành phố ').replace(/^Tỉnh /, 'tỉnh ')}`,
    p.code,
    timestamp(day(2025, 7, 1) + random.int(30), 28_800 + random.int(32_400)),
  ]);
}

/** The tax office code of a current province: synthetic, as the tax offices' own codes are not public here. */
export function taxOfficeCode(provinceCode: string): string {
  return `${provinceCode}000`;
}

function column(table: TableName, name: string): number {
  return (TABLE_COLUMNS[table] as readonly string[]).indexOf(name);
}

const dayOf = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);

const ENTERPRISE_STATUS: Record<string, string> = {
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  IN_DISSOLUTION: 'CLOSING',
  DISSOLVED: 'CLOSED',
  BANKRUPT: 'CLOSED',
};

/** Appends the taxpayers of one chunk to its batch. */
export function addTaxpayers(
  geography: Geography,
  seed: number,
  chunk: number,
  batch: Batch,
): void {
  const random = new Random(Stream.finance, seed, chunk + 1);
  const out = batch['finance.taxpayers'];
  const provinceOf = (communeCode: string) =>
    geography.communeByCode.get(communeCode)?.provinceCode ?? '01';
  const obligations = (active: boolean, fulfilledShare: number, median: number) => {
    const fulfilled = !active || random.chance(fulfilledShare);
    const owed = fulfilled
      ? 0
      : Math.max(1000, Math.round(random.logNormal(median, 1.2) / 1000) * 1000);
    return [fulfilled, owed, isoDate(DATA_AS_OF - random.int(30))] as const;
  };
  const updated = (from: number) =>
    timestamp(from + random.int(Math.max(1, DATA_AS_OF - from + 1)), 25_200 + random.int(39_600));

  const E = (name: string) => column('enterprise.enterprises', name);
  for (const row of batch['enterprise.enterprises']) {
    const foundedOn = dayOf(row[E('founded_on')] as string);
    const status = ENTERPRISE_STATUS[row[E('status')] as string] ?? 'ACTIVE';
    // Registration for tax is part of enterprise registration: the same day (Law on Enterprises, art. 29).
    out.push([
      row[E('code')],
      'ENTERPRISE',
      row[E('name')],
      taxOfficeCode(provinceOf(row[E('head_office_commune_code')] as string)),
      isoDate(foundedOn),
      status,
      ...obligations(status === 'ACTIVE' || status === 'SUSPENDED', 0.88, 40_000_000),
      updated(Math.max(foundedOn, DAY_2005)),
    ]);
  }

  const earners = new Set<string>();
  for (const row of batch['enterprise.enterprise_people'])
    earners.add(row[column('enterprise.enterprise_people', 'citizen_id')] as string);
  for (const row of batch['civil_service.civil_servants'])
    earners.add(row[column('civil_service.civil_servants', 'citizen_id')] as string);
  for (const row of batch['insurance.insurance_records'])
    earners.add(row[column('insurance.insurance_records', 'citizen_id')] as string);

  const C = (name: string) => column('population.citizens', name);
  for (const row of batch['population.citizens']) {
    const id = row[C('id')] as string;
    const born = dayOf(row[C('date_of_birth')] as string);
    const adultOn = born + Math.round(18 * 365.2425);
    if (adultOn > DATA_AS_OF) continue;
    if (!earners.has(id) && !random.chance(0.3)) continue;
    const died = row[C('died_on')] as string | null;
    const start = Math.max(adultOn, DAY_2005);
    const registeredOn = start + random.int(Math.max(1, DATA_AS_OF - start));
    const status = died ? 'CLOSED' : 'ACTIVE';
    out.push([
      id,
      'INDIVIDUAL',
      row[C('full_name')],
      taxOfficeCode(provinceOf(row[C('permanent_commune_code')] as string)),
      isoDate(registeredOn),
      status,
      ...obligations(status === 'ACTIVE', 0.96, 3_000_000),
      updated(Math.max(registeredOn, died ? dayOf(died) : 0)),
    ]);
  }
}
