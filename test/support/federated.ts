import { knex, type Knex } from 'knex';
import type { LocalService } from '../../adapters';
import { NATIONAL_DATABASES, type DatabaseName } from '../../adapters/databases';
import { startFederatedGateway, type FederatedGateway } from '../../src/federation/gateway';
import { generateStatementKeys, type StatementKeys } from '../../src/federation/keys';
import { spawnService, type ServiceProcess } from '../../src/federation/processes';
import { signStatement, STATEMENT_HEADER } from '../../src/federation/statement';
import { createLogger } from '../../src/logger';
import { procedureCatalogue } from '../../src/procedures/catalogue';
import { startMockInsuranceService } from '../../src/embedded';
import { DEMO_PORTAL, testConfig, type GraphQLErrorBody } from './gateway';

/**
 * The federated topology under test: every national database's subgraph as a process of its
 * own (as `npm run start:federated` runs them), and the gateway in this process so that tests
 * can reach its client registry and access log. On TEST_DATABASE_URL each subgraph keeps its
 * provider log in a database of its own, `<test database>_<subgraph>`.
 */
export interface FederatedTopology {
  gateway: FederatedGateway;
  url: string;
  keys: StatementKeys;
  subgraphs: Map<DatabaseName, ServiceProcess>;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: { data?: T; errors?: GraphQLErrorBody[] } }>;
  /** Kills one subgraph's process (SIGKILL: no goodbye). */
  kill(name: DatabaseName): Promise<void>;
  /** Starts one subgraph again on the port it had. */
  restart(name: DatabaseName): Promise<void>;
  /** Calls a subgraph route with a statement signed by the gateway's key. */
  callSubgraph(name: DatabaseName, route: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

async function ensureDatabase(url: string, name: string): Promise<string> {
  const target = new URL(url);
  const database = `${target.pathname.slice(1)}_${name}`;
  const admin: Knex = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const exists = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [database]);
    if (exists.rows.length === 0) await admin.raw(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.destroy();
  }
  target.pathname = `/${database}`;
  return target.toString();
}

export async function startFederatedTopology(): Promise<FederatedTopology> {
  const config = testConfig();
  const keys = generateStatementKeys();
  const real = process.env.TEST_DATABASE_URL;
  let insuranceDb: Knex | undefined;
  let insurance: LocalService | undefined;
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EMBEDDED_CITIZENS: process.env.EMBEDDED_CITIZENS ?? String(config.embeddedCitizens),
    DATA_SEED: String(config.dataSeed),
    SOURCE_TIMEOUT_MS: String(config.sourceTimeoutMs),
    FEDERATION_PUBLIC_KEY: keys.publicKeyPem,
  };
  const auditUrls = new Map<DatabaseName, string>();
  if (real) {
    insuranceDb = knex({ client: 'pg', connection: real, pool: { min: 0, max: 10 } });
    insurance = await startMockInsuranceService(insuranceDb);
    Object.assign(base, {
      DATABASE_URL: real,
      INSURANCE_SERVICE_URL: insurance.url,
      AUDIT_SIGNING_KEY: config.auditKeys.AUDIT_SIGNING_KEY,
    });
    for (const name of NATIONAL_DATABASES) auditUrls.set(name, await ensureDatabase(real, name));
  }
  const subgraphs = new Map<DatabaseName, ServiceProcess>();
  const ports = new Map<DatabaseName, number>();
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
        },
        onOutput: process.env.TEST_LOG_LEVEL ? (from, line) => console.log(from, line) : undefined,
      },
    );
    subgraphs.set(name, service);
    ports.set(name, Number(new URL(service.url).port));
  };
  const [first, ...rest] = NATIONAL_DATABASES;
  await start(first);
  await Promise.all(rest.map(start));
  const urls = Object.fromEntries(
    NATIONAL_DATABASES.map((name) => [name, subgraphs.get(name)?.url as string]),
  ) as Record<DatabaseName, string>;
  const gateway = await startFederatedGateway(config, createLogger(config.logLevel), {
    subgraphUrls: urls,
    keys,
  });
  if (real) await gateway.store.registerDemoClients(procedureCatalogue().codes());

  return {
    gateway,
    url: gateway.url,
    keys,
    subgraphs,
    async graphql(query, variables, headers = {}) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...DEMO_PORTAL, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as { data?: never; errors?: GraphQLErrorBody[] },
      };
    },
    async kill(name) {
      const service = subgraphs.get(name);
      service?.child.kill('SIGKILL');
      await service?.exited;
    },
    restart: start,
    async callSubgraph(name, route, body) {
      const text = JSON.stringify(body);
      const token = await signStatement(keys.privateKey, name, text, {
        viewer: null,
        purpose: null,
        actor: null,
        caseId: null,
        requestId: `test-${Date.now()}`,
      });
      const url = (subgraphs.get(name)?.url as string).replace(/\/graphql$/, route);
      return fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [STATEMENT_HEADER]: token },
        body: text,
      });
    },
    async close() {
      await gateway.close();
      await Promise.all([...subgraphs.values()].map((service) => service.stop()));
      await insurance?.close();
      await insuranceDb?.destroy();
    },
  };
}
