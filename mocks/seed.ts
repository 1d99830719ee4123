/**
 * Loads the synthetic national databases into PostgreSQL:
 *
 *   npm run seed -- --citizens 1000000 [--seed 2025] [--database-url URL] [--force]
 *
 * The target is --database-url, else DATABASE_URL (or <DATABASE>_DATABASE_URL per national
 * database), else postgres://postgres@127.0.0.1:5432/national; a missing database is created.
 * A target that already holds the same data set is left alone unless --force is given.
 */
import { SingleBar, Presets } from 'cli-progress';
import { knex, type Knex } from 'knex';
import { Client } from 'pg';
import { NATIONAL_DATABASES, type DatabaseName } from './databases';
import {
  GENERATOR_VERSION,
  clearDatasetMarker,
  readDatasetMarker,
  seedNationalDatabases,
  writeDatasetMarker,
} from './generator';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/national';

interface Arguments {
  citizens: number;
  seed: number;
  databaseUrl: string | undefined;
  force: boolean;
}

const USAGE = `usage: npm run seed -- --citizens N [--seed S] [--database-url URL] [--force]

  --citizens N        citizens to generate, with everything proportionate (default 1000000)
  --seed S            seed of the generator (default DATA_SEED or 2025)
  --database-url URL  target database (default DATABASE_URL or ${DEFAULT_URL})
  --force             reload even when the target already holds this data set`;

function parseArguments(argv: string[]): Arguments {
  const integer = (name: string, raw: string | undefined): number => {
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isSafeInteger(value) || value < 0) {
      throw new UsageError(
        `${name} expects a non-negative integer, got ${raw === undefined ? 'nothing' : `"${raw}"`}`,
      );
    }
    return value;
  };
  const args: Arguments = {
    citizens: 1_000_000,
    seed: process.env.DATA_SEED ? integer('DATA_SEED', process.env.DATA_SEED) : 2025,
    databaseUrl: undefined,
    force: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--citizens':
        args.citizens = integer('--citizens', value());
        break;
      case '--seed':
        args.seed = integer('--seed', value());
        break;
      case '--database-url':
        args.databaseUrl = value();
        if (!args.databaseUrl) throw new UsageError('--database-url expects a connection string');
        break;
      case '--force':
        args.force = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new UsageError(`unknown argument "${argv[i]}"`);
    }
  }
  return args;
}

class UsageError extends Error {}

/** Connection string per national database: one URL for all, or one each from the environment. */
function databaseUrls(explicit: string | undefined): Record<DatabaseName, string> {
  const urls = {} as Record<DatabaseName, string>;
  for (const name of NATIONAL_DATABASES) {
    urls[name] =
      explicit ??
      (process.env[`${name.toUpperCase()}_DATABASE_URL`] ||
        process.env.DATABASE_URL ||
        DEFAULT_URL);
  }
  return urls;
}

/** Shows a connection string without its password. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Creates the target database when the server is up but the database does not exist yet. */
async function ensureDatabase(url: string): Promise<void> {
  const probe = new Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    process.stderr.write(`created database ${name}\n`);
  } catch (error) {
    // Another seed may have created it meanwhile.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const urls = databaseUrls(args.databaseUrl);
  const handles = new Map<string, Knex>();
  for (const url of new Set(Object.values(urls))) {
    await ensureDatabase(url);
    handles.set(
      url,
      knex({ client: 'pg', connection: { connectionString: url }, pool: { min: 0, max: 2 } }),
    );
  }
  const knexFor = (name: DatabaseName): Knex => handles.get(urls[name]) as Knex;
  const markerHandle = knexFor('population');
  const where = [...new Set(Object.values(urls))].map(redact).join(', ');
  try {
    const marker = await readDatasetMarker(markerHandle);
    if (
      !args.force &&
      marker &&
      marker.seed === args.seed &&
      marker.citizens === args.citizens &&
      marker.generatorVersion === GENERATOR_VERSION
    ) {
      const counted = await markerHandle.raw<{ rows: { n: string }[] }>(
        'SELECT count(*) AS n FROM population.citizens',
      );
      if (Number(counted.rows[0].n) === args.citizens) {
        process.stdout.write(
          `${where} already holds ${args.citizens.toLocaleString('en')} citizens generated with seed ${args.seed} ` +
            `(loaded ${marker.generatedAt.toISOString()}); nothing to do (--force reloads)\n`,
        );
        return;
      }
    }

    const started = process.hrtime.bigint();
    await clearDatasetMarker(markerHandle);
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format:
          'seeding |{bar}| {percentage}% | {value}/{total} citizens | {duration_formatted} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    bar.start(args.citizens, 0);
    await seedNationalDatabases(knexFor, {
      citizens: args.citizens,
      seed: args.seed,
      onProgress: (done) => {
        bar.update(done);
        if (done === args.citizens) {
          bar.stop();
          process.stderr.write('building keys and indexes, analysing...\n');
        }
      },
    });
    bar.stop();
    await writeDatasetMarker(markerHandle, { seed: args.seed, citizens: args.citizens });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(
      `seeded ${args.citizens.toLocaleString('en')} citizens (seed ${args.seed}) into ${where} in ${seconds.toFixed(1)} s\n`,
    );
  } finally {
    await Promise.all([...handles.values()].map((handle) => handle.destroy()));
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  } else {
    const refused = (error as { code?: string }).code === 'ECONNREFUSED';
    const hint = refused
      ? '\n(is PostgreSQL running? pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)'
      : '';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`seed failed: ${message}${hint}\n`);
  }
  process.exitCode = 1;
});
