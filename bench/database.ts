import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { SubjectPool } from './workloads';

/** The repository root: bench/ sits right under it, whether run from source or dist. */
export const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

function pgReady(): boolean {
  return spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432']).status === 0;
}

/** Starts the machine's PostgreSQL cluster when it is down (as .ci/run does). */
export async function ensurePostgres(): Promise<void> {
  if (pgReady()) return;
  const version = fs.readdirSync('/etc/postgresql')[0];
  console.log(`PostgreSQL is down; starting cluster ${version}/main`);
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
    stdio: 'inherit',
  });
  for (let i = 0; i < 30 && !pgReady(); i++) await new Promise((r) => setTimeout(r, 1000));
  if (!pgReady()) throw new Error('PostgreSQL did not come up at 127.0.0.1:5432');
}

/**
 * Seeds through the project's seed command, which creates a missing database and leaves alone
 * one that already holds this data set.
 */
export function seed(databaseUrl: string, citizens: number): void {
  if (!fs.existsSync(path.join(ROOT, 'mocks', 'seed.ts'))) {
    throw new Error('mocks/seed.ts (npm run seed) is missing: the harness seeds through it');
  }
  const started = Date.now();
  const result = spawnSync(
    'npm',
    [
      'run',
      '--silent',
      'seed',
      '--',
      '--citizens',
      String(citizens),
      '--database-url',
      databaseUrl,
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error(`npm run seed failed (exit ${result.status})`);
  console.log(`seed done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export async function withClient<T>(
  databaseUrl: string,
  action: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** Row counts of the main tables, for the results and to check the data set is the one asked. */
export async function dataSetSize(databaseUrl: string): Promise<Record<string, number>> {
  const tables = [
    'population.citizens',
    'population.households',
    'enterprise.enterprises',
    'enterprise.enterprise_people',
    'land.parcels',
    'land.holders',
    'insurance.insurance_records',
    'insurance.contributions',
    'civil_service.civil_servants',
  ];
  return withClient(databaseUrl, async (client) => {
    const sizes: Record<string, number> = {};
    for (const table of tables) {
      sizes[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    }
    return sizes;
  });
}

/**
 * Random subjects from the seeded data: a Bernoulli sample with a fixed seed, so that a rerun
 * on the same data draws the same subjects. Also fills `bench.subjects`, which the pgbench
 * script reads its random citizen (and that citizen's keys for later levels) from.
 */
export async function drawSubjects(
  databaseUrl: string,
  sizes: Record<string, number>,
  citizenCount: number,
  enterpriseCount: number,
): Promise<SubjectPool> {
  const percent = (wanted: number, total: number) =>
    Math.min(100, (100 * wanted * 1.5) / Math.max(1, total));
  return withClient(databaseUrl, async (client) => {
    const citizens = (
      await client.query<{ id: string }>(
        `SELECT id FROM population.citizens TABLESAMPLE BERNOULLI ($1) REPEATABLE (2025)
         ORDER BY id LIMIT $2`,
        [percent(citizenCount, sizes['population.citizens']), citizenCount],
      )
    ).rows.map((row) => row.id);
    const enterprises = (
      await client.query<{ code: string }>(
        `SELECT code FROM enterprise.enterprises TABLESAMPLE BERNOULLI ($1) REPEATABLE (2025)
         ORDER BY code LIMIT $2`,
        [percent(enterpriseCount, sizes['enterprise.enterprises']), enterpriseCount],
      )
    ).rows.map((row) => row.code);
    await client.query('CREATE SCHEMA IF NOT EXISTS bench');
    await client.query('DROP TABLE IF EXISTS bench.subjects');
    // Per citizen: the employers its roles do not already name, so that pgbench issues the
    // employers' statement exactly when the gateway does.
    await client.query(
      `CREATE TABLE bench.subjects AS
       SELECT s.n::int AS n, s.id AS citizen_id,
              coalesce(e.codes, '{}') AS employers,
              (e.codes IS NOT NULL)::int AS has_employers
       FROM unnest($1::text[]) WITH ORDINALITY AS s(id, n)
       LEFT JOIN insurance.insurance_records r ON r.citizen_id = s.id
       LEFT JOIN LATERAL (
         SELECT array_agg(DISTINCT c.employer_code)::text AS codes
         FROM insurance.contributions c
         WHERE c.social_insurance_number = r.social_insurance_number
           AND c.employer_code NOT IN (
             SELECT enterprise_code FROM enterprise.enterprise_people WHERE citizen_id = s.id)
       ) e ON true`,
      [citizens],
    );
    await client.query('ALTER TABLE bench.subjects ADD PRIMARY KEY (n)');
    return { citizens, enterprises, procedures: [] };
  });
}
