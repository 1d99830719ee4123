import type { Knex } from 'knex';
import { GENERATOR_VERSION } from './generator';

/** What a database was seeded with, kept in `public.national_dataset` by the seed command. */
export interface DatasetMarker {
  seed: number;
  citizens: number;
  generatorVersion: number;
  generatedAt: Date;
}

const TABLE = 'public.national_dataset';

/** The data set a database holds, or null when it was never seeded (or the seed failed). */
export async function readDatasetMarker(knex: Knex): Promise<DatasetMarker | null> {
  const exists = await knex.raw<{ rows: { name: string | null }[] }>(
    `SELECT to_regclass('${TABLE}')::text AS name`,
  );
  if (!exists.rows[0]?.name) return null;
  const result = await knex.raw<{
    rows: { seed: string; citizens: string; generator_version: number; generated_at: Date }[];
  }>(
    `SELECT seed, citizens, generator_version, generated_at FROM ${TABLE} ORDER BY generated_at DESC LIMIT 1`,
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    seed: Number(row.seed),
    citizens: Number(row.citizens),
    generatorVersion: row.generator_version,
    generatedAt: new Date(row.generated_at),
  };
}

/** Forgets the marker, before a load that may fail half-way. */
export async function clearDatasetMarker(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE IF NOT EXISTS ${TABLE} (
    seed bigint NOT NULL, citizens bigint NOT NULL, generator_version integer NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now())`);
  await knex.raw(`DELETE FROM ${TABLE}`);
}

/** Records the data set just loaded. */
export async function writeDatasetMarker(
  knex: Knex,
  dataset: { seed: number; citizens: number },
): Promise<void> {
  await clearDatasetMarker(knex);
  await knex.raw(`INSERT INTO ${TABLE} (seed, citizens, generator_version) VALUES (?, ?, ?)`, [
    dataset.seed,
    dataset.citizens,
    GENERATOR_VERSION,
  ]);
}
