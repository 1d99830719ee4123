import { NationalDataGenerator, type DatasetOptions } from './generator';
import { TABLE_NAMES, emptyBatch, rowObjects, type Batch, type Value } from './tables';

/** Identifiers that exist in a generated data set, richest subjects first. */
export interface SampleIdentifiers {
  citizens: string[];
  enterprises: string[];
  landParcels: string[];
  insuranceRecords: string[];
  civilServants: string[];
}

type Fields = Record<string, Value>;

/**
 * Picks demo subjects without a database: the generator is deterministic, so generating the
 * first chunk of the same data set tells which identifiers the loaded data holds. Subjects
 * with the most links come first: a citizen who represents an enterprise, holds land and pays
 * insurance; a parcel with two holders and a mortgage; a record with contributions and a card.
 */
export function sampleIdentifiers(options: DatasetOptions, perKind = 8): SampleIdentifiers {
  // The first chunk is enough unless chunks are tiny; then take chunks until every kind is full.
  const batch = emptyBatch();
  let samples = pick(batch, perKind);
  for (const chunk of new NationalDataGenerator(options).chunks()) {
    for (const table of TABLE_NAMES) for (const row of chunk[table]) batch[table].push(row);
    samples = pick(batch, perKind);
    if (Object.values(samples).every((ids: string[]) => ids.length >= perKind)) break;
  }
  return samples;
}

function pick(batch: Batch, perKind: number): SampleIdentifiers {
  const rows = <T extends keyof Batch>(table: T): Fields[] => rowObjects(table, batch[table]);

  const people = rows('enterprise.enterprise_people');
  const holders = rows('land.holders');
  const contributions = rows('insurance.contributions');
  const cards = rows('insurance.health_cards');
  const records = rows('insurance.insurance_records');
  const servants = rows('civil_service.civil_servants');

  const representatives = new Set(
    people.filter((r) => r.role === 'LEGAL_REPRESENTATIVE').map((r) => r.citizen_id),
  );
  const landHolders = new Set(
    holders.filter((r) => r.holder_kind === 'CITIZEN').map((r) => r.holder_id),
  );
  const contributionsOf = countBy(contributions, 'social_insurance_number');
  const cardsOf = countBy(cards, 'social_insurance_number');
  const recordOf = new Map(records.map((r) => [r.citizen_id, r.social_insurance_number as string]));
  const civilServants = new Set(servants.map((r) => r.citizen_id));

  const citizenScore = (c: Fields): number => {
    const record = recordOf.get(c.id);
    return (
      (representatives.has(c.id) ? 8 : 0) +
      (civilServants.has(c.id) ? 6 : 0) +
      (landHolders.has(c.id) ? 4 : 0) +
      (record && contributionsOf.has(record) ? 4 : 0) +
      (record && cardsOf.has(record) ? 1 : 0) +
      (c.spouse_id !== null ? 1 : 0) +
      (c.permanent_legacy_commune_code !== null ? 1 : 0)
    );
  };
  const peopleOf = countBy(people, 'enterprise_code');
  const branchesOf = countBy(rows('enterprise.branches'), 'enterprise_code');
  const employeesOf = countBy(contributions, 'employer_code');
  const holdersOf = countBy(holders, 'parcel_id');
  const mortgagesOf = countBy(rows('land.mortgages'), 'parcel_id');
  const enterpriseHeld = new Set(
    holders.filter((r) => r.holder_kind === 'ENTERPRISE').map((r) => r.parcel_id),
  );
  const n = (counts: Map<Value, number>, key: Value): number => counts.get(key) ?? 0;

  return {
    citizens: best(
      rows('population.citizens').filter((c) => c.died_on === null),
      'id',
      citizenScore,
      perKind,
    ),
    enterprises: best(
      rows('enterprise.enterprises'),
      'code',
      (e) => n(peopleOf, e.code) + 2 * n(branchesOf, e.code) + Math.min(3, n(employeesOf, e.code)),
      perKind,
    ),
    landParcels: best(
      rows('land.parcels'),
      'id',
      (p) => n(holdersOf, p.id) + 2 * n(mortgagesOf, p.id) + (enterpriseHeld.has(p.id) ? 1.5 : 0),
      perKind,
    ),
    insuranceRecords: best(
      records,
      'social_insurance_number',
      (r) =>
        Math.min(4, n(contributionsOf, r.social_insurance_number)) +
        n(cardsOf, r.social_insurance_number),
      perKind,
    ),
    civilServants: best(servants, 'code', (s) => (s.status === 'SERVING' ? 1 : 0), perKind),
  };
}

function countBy(rows: readonly Fields[], column: string): Map<Value, number> {
  const counts = new Map<Value, number>();
  for (const row of rows) counts.set(row[column], (counts.get(row[column]) ?? 0) + 1);
  return counts;
}

/** The keys of the `n` best-scoring rows; ties keep generation order. */
function best(
  rows: readonly Fields[],
  key: string,
  score: (row: Fields) => number,
  n: number,
): string[] {
  return rows
    .map((row, index) => ({ key: row[key] as string, score: score(row), index }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, n)
    .map((entry) => entry.key);
}
