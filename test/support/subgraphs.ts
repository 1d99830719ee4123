import { knex, type Knex } from 'knex';
import type { LocalService } from '../../adapters';
import { NATIONAL_DATABASES, type DatabaseName } from '../../adapters/databases';
import type { Config } from '../../src/config';
import { startMockInsuranceService } from '../../src/embedded';
import { generateStatementKeys, type StatementKeys } from '../../src/federation/keys';
import { spawnService, type ServiceProcess } from '../../src/federation/processes';

/**
 * Every national database's subgraph as a process of its own, as `npm run start:federated`
 * runs them. On TEST_DATABASE_URL each keeps its provider log in a database of its own,
 * `<test database>_<subgraph>`, and the insurance agency's stand-in service runs here.
 */
export interface SubgraphProcesses {
  keys: StatementKeys;
  subgraphs: Map<DatabaseName, ServiceProcess>;
  urls(): Record<DatabaseName, string>;
  /** Kills one subgraph's process (SIGKILL: no goodbye). */
  kill(name: DatabaseName): Promise<void>;
  /** Starts one subgraph again on the port it had. */
  restart(name: DatabaseName): Promise<void>;
  /** Calls made by each subgraph to its own database since it started (its /metrics). */
  sourceCalls(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** The database of a subgraph's own provider log and peer witness ledger, beside `url`'s. */
function subgraphLogDatabase(url: string, name: string): string {
  return `${new URL(url).pathname.slice(1)}_${name}`;
}

/**
 * Drops every subgraph's log database, so that a run starts with empty provider logs and
 * ledgers, as it starts with an empty gateway log: a ledger left by an earlier run holds
 * checkpoints of a gateway log that no longer exists, cosigned by keys no longer in use.
 */
export async function dropSubgraphLogDatabases(url: string): Promise<void> {
  const admin: Knex = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    for (const name of NATIONAL_DATABASES) {
      await admin.raw(`DROP DATABASE IF EXISTS "${subgraphLogDatabase(url, name)}" WITH (FORCE)`);
    }
  } finally {
    await admin.destroy();
  }
}

/** Where a subgraph of the test run keeps its provider log (beside the test database `url`). */
export function subgraphLogUrl(url: string, name: string): string {
  const target = new URL(url);
  target.pathname = `/${subgraphLogDatabase(url, name)}`;
  return target.toString();
}

async function ensureDatabase(url: string, name: string): Promise<string> {
  const database = subgraphLogDatabase(url, name);
  const admin: Knex = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const exists = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [database]);
    if (exists.rows.length === 0) await admin.raw(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.destroy();
  }
  return subgraphLogUrl(url, name);
}

/** What every subgraph process of a test run is started with. */
async function subgraphEnvironment(config: Config, keys: StatementKeys, poolSize?: number) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EMBEDDED_CITIZENS: process.env.EMBEDDED_CITIZENS ?? String(config.embeddedCitizens),
    DATA_SEED: String(config.dataSeed),
    SOURCE_TIMEOUT_MS: String(config.sourceTimeoutMs),
    FEDERATION_PUBLIC_KEY: keys.publicKeyPem,
    ...(poolSize ? { DATABASE_POOL_SIZE: String(poolSize) } : {}),
  };
  const real = process.env.TEST_DATABASE_URL;
  if (real) {
    Object.assign(env, {
      DATABASE_URL: real,
      AUDIT_SIGNING_KEY: config.auditKeys.AUDIT_SIGNING_KEY,
    });
  }
  return env;
}

/**
 * One subgraph process with settings of its own (for example an insurance agency that never
 * answers), for the tests that put one national database in trouble.
 */
export async function spawnSubgraph(
  name: DatabaseName,
  config: Config,
  keys: StatementKeys,
  env: NodeJS.ProcessEnv,
): Promise<ServiceProcess> {
  const real = process.env.TEST_DATABASE_URL;
  return spawnService(name, 'src/subgraph/main.ts', [name], {
    env: {
      ...(await subgraphEnvironment(config, keys)),
      ...(real ? { AUDIT_DATABASE_URL: await ensureDatabase(real, name) } : {}),
      ...env,
    },
    onOutput: process.env.TEST_LOG_LEVEL ? (from, line) => console.log(from, line) : undefined,
  });
}

export async function startSubgraphProcesses(
  config: Config,
  options: {
    poolSize?: number;
    /** Each subgraph's port, fixed up front (for peers that must know it before it starts). */
    ports?: Partial<Record<DatabaseName, number>>;
    /** Settings of each subgraph's own (for example its peer witness's). */
    env?: Partial<Record<DatabaseName, NodeJS.ProcessEnv>>;
  } = {},
): Promise<SubgraphProcesses> {
  const keys = generateStatementKeys();
  const real = process.env.TEST_DATABASE_URL;
  let insuranceDb: Knex | undefined;
  let insurance: LocalService | undefined;
  const base = await subgraphEnvironment(config, keys, options.poolSize);
  const auditUrls = new Map<DatabaseName, string>();
  if (real) {
    insuranceDb = knex({ client: 'pg', connection: real, pool: { min: 0, max: 10 } });
    insurance = await startMockInsuranceService(insuranceDb);
    base.INSURANCE_SERVICE_URL = insurance.url;
    for (const name of NATIONAL_DATABASES) auditUrls.set(name, await ensureDatabase(real, name));
  }
  const subgraphs = new Map<DatabaseName, ServiceProcess>();
  const ports = new Map<DatabaseName, number>(
    Object.entries(options.ports ?? {}) as [DatabaseName, number][],
  );
  const start = async (name: DatabaseName) => {
    const port = ports.get(name);
    const service = await spawnService(
      name,
      'src/subgraph/main.ts',
      [name, ...(port ? ['--port', String(port)] : [])],
      {
        env: {
          ...base,
          ...(auditUrls.has(name) ? { AUDIT_DATABASE_URL: auditUrls.get(name) } : {}),
          ...options.env?.[name],
        },
        onOutput: process.env.TEST_LOG_LEVEL ? (from, line) => console.log(from, line) : undefined,
      },
    );
    subgraphs.set(name, service);
    ports.set(name, Number(new URL(service.url).port));
  };
  // The first fills the embedded database (or checks the real one); the rest reuse its snapshot.
  const [first, ...rest] = NATIONAL_DATABASES;
  await start(first);
  await Promise.all(rest.map(start));

  return {
    keys,
    subgraphs,
    urls: () =>
      Object.fromEntries(
        NATIONAL_DATABASES.map((name) => [name, subgraphs.get(name)?.url as string]),
      ) as Record<DatabaseName, string>,
    async kill(name) {
      const service = subgraphs.get(name);
      service?.child.kill('SIGKILL');
      await service?.exited;
    },
    restart: start,
    sourceCalls: () =>
      subgraphSourceCalls(
        Object.fromEntries([...subgraphs.entries()].map(([name, service]) => [name, service.url])),
      ),
    async close() {
      await Promise.all([...subgraphs.values()].map((service) => service.stop()));
      await insurance?.close();
      await insuranceDb?.destroy();
    },
  };
}

/** Calls made by each subgraph to its own database since it started, from its /metrics. */
export async function subgraphSourceCalls(
  urls: Record<string, string>,
): Promise<Record<string, number>> {
  const counts = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const response = await fetch(url.replace(/\/graphql$/, '/metrics'));
      const body = (await response.json()) as { sourceCalls: Record<string, number> };
      return [name, body.sourceCalls[name] ?? 0] as const;
    }),
  );
  return Object.fromEntries(counts);
}
