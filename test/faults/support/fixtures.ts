import { knex, type Knex } from 'knex';
import { databaseUrl } from './processes';
import type { GraphQLRequest } from './load';

/** A direct connection to the test database, for setting faults up and checking the log. */
export function openDatabase(max = 4): Knex {
  return knex({ client: 'pg', connection: databaseUrl(), pool: { min: 0, max } });
}

/** Citizens of the test data that hold land and have an insurance record. */
export async function citizens(
  db: Knex,
): Promise<{ land: string[]; insured: string[]; any: string[] }> {
  const land = (
    await db.raw(
      `SELECT DISTINCT holder_id AS id FROM land.holders WHERE holder_kind = 'CITIZEN' ORDER BY 1 LIMIT 200`,
    )
  ).rows.map((row: { id: string }) => row.id);
  const insured = (
    await db.raw(`SELECT citizen_id AS id FROM insurance.insurance_records ORDER BY 1 LIMIT 200`)
  ).rows.map((row: { id: string }) => row.id);
  const any = (await db.raw(`SELECT id FROM population.citizens ORDER BY id LIMIT 200`)).rows.map(
    (row: { id: string }) => row.id,
  );
  return { land, insured, any };
}

/** Population only: name and date of birth. */
export function populationQuery(id: string): GraphQLRequest & { tag: string } {
  return {
    tag: 'population',
    query: `query ($id: ID!) { citizen(id: $id) { id fullName dateOfBirth } }`,
    variables: { id },
  };
}

/** Population and land, three land batches one after the other. */
export function landQuery(id: string): GraphQLRequest & { tag: string } {
  return {
    tag: 'land',
    query: `query ($id: ID!) { citizen(id: $id) { id fullName
      landRights { share parcel { id rights { share parcel { certificates { serial } } } } } } }`,
    variables: { id },
  };
}

/** Population and insurance. */
export function insuranceQuery(id: string): GraphQLRequest & { tag: string } {
  return {
    tag: 'insurance',
    query: `query ($id: ID!) { citizen(id: $id) { id fullName insurance { socialInsuranceNumber status } } }`,
    variables: { id },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The log entries of a circuit change of one source. */
export function circuitChanges(entries: Record<string, unknown>[], source: string): string[] {
  return entries
    .filter((entry) => entry.source === source && typeof entry.circuit === 'string')
    .map((entry) => entry.circuit as string);
}
