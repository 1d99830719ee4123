import { createHash, createPrivateKey } from 'node:crypto';
import { knex, type Knex } from 'knex';
import type { LocalService } from '../../adapters';
import type { DatabaseName } from '../../adapters/databases';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startGateway, type Gateway } from '../../src/server';
import { sourceCalls } from '../../adapters/source';
import { MOCK_VNEID_ISSUER, MOCK_VNEID_PUBLIC_KEY_PEM } from '../../mocks/vneid/issuer';
import { startMockInsuranceService } from '../../src/embedded';
import { statementKeysFrom } from '../../src/federation/keys';
import { spawnSubgraph, subgraphSourceCalls } from './subgraphs';
import { ScratchDatabases } from './witness';

/**
 * The gateway under test, in process over real HTTP: on the embedded database by default, or
 * on the real PostgreSQL named by TEST_DATABASE_URL (seeded once by test/support/global-setup).
 */
export interface TestGateway {
  gateway: Gateway;
  url: string;
  /** Direct access to a national database, to compare answers with what the source holds. */
  db(name: DatabaseName): Knex;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: { data?: T; errors?: GraphQLErrorBody[] } }>;
  close(): Promise<void>;
}

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The demo portal reading for the demo purpose: every field of the national databases. */
export const DEMO_PORTAL = { authorization: 'Bearer demo-portal', 'x-purpose': 'DEMO' };

/** A fixed Ed25519 key for the test database's access log, made from a public test seed. */
const TEST_AUDIT_SIGNING_KEY = createPrivateKey({
  key: Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    createHash('sha256').update('national-data-gateway test audit key').digest(),
  ]),
  format: 'der',
  type: 'pkcs8',
})
  .export({ format: 'pem', type: 'pkcs8' })
  .toString();

export const TEST_CITIZENS = 2000;
export const TEST_SEED = 2025;

export function testConfig(
  overrides: Partial<Config> = {},
  extraEnv: NodeJS.ProcessEnv = {},
): Config {
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EMBEDDED_CITIZENS: String(TEST_CITIZENS),
    DATA_SEED: String(TEST_SEED),
  };
  if (process.env.TEST_DATABASE_URL) {
    env.DATABASE_URL = process.env.TEST_DATABASE_URL;
    // A real deployment names its identity provider; the tests use the mock VNeID.
    env.VNEID_PUBLIC_KEY = MOCK_VNEID_PUBLIC_KEY_PEM;
    env.VNEID_ISSUER = MOCK_VNEID_ISSUER;
    // The log in the test database outlives one run: every run signs its checkpoints alike.
    env.AUDIT_SIGNING_KEY = TEST_AUDIT_SIGNING_KEY;
    // The test database is synthetic: the demo clients are registered on it too.
    env.DEMO_CLIENTS = 'on';
  }
  return { ...loadConfig({ ...env, ...extraEnv }), ...overrides };
}

/**
 * The topology under test: `single` (one process, the default) or `federated`
 * (TOPOLOGY=federated: every national database a subgraph process of its own, the gateway in
 * this process composing them; on PostgreSQL only, where the tests can read the databases).
 */
export function topology(): 'single' | 'federated' {
  return process.env.TOPOLOGY === 'federated' ? 'federated' : 'single';
}

/** The subgraphs of the federated run (started once by global-setup.ts), when TOPOLOGY=federated. */
function runSubgraphs(): Record<DatabaseName, string> | undefined {
  const urls = process.env.TEST_SUBGRAPH_URLS;
  return urls ? (JSON.parse(urls) as Record<DatabaseName, string>) : undefined;
}

export async function startTestGateway(overrides: Partial<Config> = {}): Promise<TestGateway> {
  if (topology() === 'federated') return startFederatedTestGateway(overrides);
  const config = testConfig(overrides);
  // On real databases the insurance agency is a service of its own: the tests run its stand-in.
  let insuranceDb: Knex | undefined;
  let insurance: LocalService | undefined;
  if (process.env.TEST_DATABASE_URL && !config.insuranceServiceUrl) {
    insuranceDb = knex({
      client: 'pg',
      connection: process.env.TEST_DATABASE_URL,
      pool: { min: 0, max: 10 },
    });
    insurance = await startMockInsuranceService(insuranceDb);
    config.insuranceServiceUrl = insurance.url;
  }
  const gateway = await startGateway(config, createLogger(config.logLevel));
  const sources = gateway.sources as NonNullable<Gateway['sources']>;
  return {
    gateway,
    url: gateway.url,
    db: (name) => sources.connections.knexFor(name),
    graphql: graphqlAt(gateway.url),
    async close() {
      await gateway.close();
      await insurance?.close();
      await insuranceDb?.destroy();
    },
  };
}

export type TestGatewayWithOwnLog = TestGateway & { auditDb: Knex };

/**
 * A gateway whose access log no other test file shares (on PostgreSQL, in a database of its
 * own), for tests that tamper with the log while other files verify theirs. `auditDb` reaches
 * the log's tables as a database superuser would.
 */
export async function startTestGatewayWithOwnLog(name: string): Promise<TestGatewayWithOwnLog> {
  if (!process.env.TEST_DATABASE_URL) {
    // Embedded, every gateway has a database of its own already.
    const t = await startTestGateway();
    return { ...t, auditDb: t.db('population') };
  }
  const scratch = new ScratchDatabases();
  const log = await scratch.open(`${name}_log`);
  const t = await startTestGateway({ auditDatabaseUrl: log.url as string });
  return {
    ...t,
    auditDb: log.knex,
    async close() {
      await t.close();
      await scratch.close();
    },
  };
}

/** The same gateway front over the run's subgraph processes; the national databases read directly. */
async function startFederatedTestGateway(overrides: Partial<Config>): Promise<TestGateway> {
  const url = process.env.TEST_DATABASE_URL;
  const subgraphUrls = runSubgraphs();
  if (!url || !subgraphUrls)
    throw new Error('TOPOLOGY=federated runs on PostgreSQL: set TEST_DATABASE_URL');
  const config = testConfig(overrides);
  const keys = statementKeysFrom({
    FEDERATION_SIGNING_KEY: process.env.TEST_FEDERATION_SIGNING_KEY,
  });
  // An insurance agency of the test's own (one that never answers, say) is reached by an
  // insurance subgraph of the test's own, as a ministry's subgraph reaches its agency.
  const insurance = overrides.insuranceServiceUrl
    ? await spawnSubgraph('insurance', config, keys, {
        INSURANCE_SERVICE_URL: overrides.insuranceServiceUrl,
      })
    : undefined;
  const gateway = await startGateway(config, createLogger(config.logLevel), {
    federation: {
      subgraphUrls: { ...subgraphUrls, ...(insurance ? { insurance: insurance.url } : {}) },
      keys,
    },
  });
  const direct = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  return {
    gateway,
    url: gateway.url,
    db: () => direct,
    graphql: graphqlAt(gateway.url),
    async close() {
      await gateway.close();
      await insurance?.stop();
      await direct.destroy();
    },
  };
}

/** POSTs a GraphQL request to the gateway at `url`, as the demo portal unless headers say otherwise. */
export function graphqlAt(url: string): TestGateway['graphql'] {
  return async (query, variables, headers = {}) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...DEMO_PORTAL, ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as { data?: never; errors?: GraphQLErrorBody[] },
    };
  };
}

/**
 * Calls made to each national database while `action` runs: by this process's adapters, or,
 * federated, by the subgraph processes to their own databases (their /metrics).
 */
export async function countCalls(action: () => Promise<unknown>): Promise<Record<string, number>> {
  const subgraphs = topology() === 'federated' ? runSubgraphs() : undefined;
  const snapshot = () =>
    subgraphs ? subgraphSourceCalls(subgraphs) : Promise.resolve(sourceCalls.snapshot());
  const before = await snapshot();
  await action();
  const after = await snapshot();
  const delta: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) {
    const diff = count - (before[name] ?? 0);
    if (diff > 0) delta[name] = diff;
  }
  return delta;
}
