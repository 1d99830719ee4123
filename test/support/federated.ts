import { NATIONAL_DATABASES, type DatabaseName } from '../../adapters/databases';
import { peerWitnessEnvironments } from '../../src/witness/peers';
import type { StatementKeys } from '../../src/federation/keys';
import { freePort, type ServiceProcess } from '../../src/federation/processes';
import { signStatement, STATEMENT_HEADER } from '../../src/federation/statement';
import { createLogger } from '../../src/logger';
import { startGateway, type Gateway } from '../../src/server';
import { graphqlAt, testConfig, type GraphQLErrorBody } from './gateway';
import { startSubgraphProcesses, subgraphLogUrl } from './subgraphs';

/**
 * The federated topology under test: every national database's subgraph as a process of its
 * own (test/support/subgraphs.ts), and the gateway in this process so that tests can reach its
 * client registry and access log.
 */
export interface FederatedTopology {
  gateway: Gateway;
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
  /** Calls made by each subgraph to its own database (the subgraphs' /metrics). */
  sourceCalls(): Promise<Record<string, number>>;
  /**
   * The configuration of a subgraph's provider log, as its operator would give it to
   * `npm run audit`: its database, key, origin and witnesses (the gateway's, in this topology).
   */
  logEnvironment(name: DatabaseName): NodeJS.ProcessEnv;
  /** Calls a subgraph route with a statement signed by the gateway's key. */
  callSubgraph(name: DatabaseName, route: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * As `npm run start:federated` runs it: the logs witness each other (src/witness/peers.ts), so
 * every process's port is fixed before any starts; checkpoints every second.
 */
export async function startFederatedTopology(): Promise<FederatedTopology> {
  const base = testConfig();
  const gatewayPort = await freePort();
  const ports = Object.fromEntries(
    await Promise.all(NATIONAL_DATABASES.map(async (name) => [name, await freePort()] as const)),
  ) as Record<DatabaseName, number>;
  const witnessing = peerWitnessEnvironments(
    {
      gateway: `http://127.0.0.1:${gatewayPort}`,
      ...Object.fromEntries(
        NATIONAL_DATABASES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
      ),
    },
    { logSigningKey: base.auditKeys.AUDIT_SIGNING_KEY },
  );
  const everySecond = { AUDIT_CHECKPOINT_SECONDS: '1' };
  const processes = await startSubgraphProcesses(base, {
    ports,
    env: Object.fromEntries(
      NATIONAL_DATABASES.map((name) => [name, { ...witnessing[name], ...everySecond }]),
    ),
  });
  const { keys, subgraphs } = processes;
  const config = testConfig(
    { port: gatewayPort, host: '127.0.0.1' },
    {
      ...witnessing.gateway,
      ...everySecond,
    },
  );
  const gateway = await startGateway(config, createLogger(config.logLevel), {
    federation: { subgraphUrls: processes.urls(), keys },
  });

  return {
    gateway,
    url: gateway.url,
    keys,
    subgraphs,
    graphql: graphqlAt(gateway.url),
    kill: processes.kill,
    restart: processes.restart,
    sourceCalls: processes.sourceCalls,
    logEnvironment: (name) => {
      const url = process.env.TEST_DATABASE_URL as string;
      const { AUDIT_SIGNING_KEY, AUDIT_LOG_ORIGIN, AUDIT_WITNESS_URL, AUDIT_WITNESS_KEYS } =
        witnessing[name];
      return {
        DATABASE_URL: url,
        AUDIT_DATABASE_URL: subgraphLogUrl(url, name),
        AUDIT_SIGNING_KEY,
        AUDIT_LOG_ORIGIN,
        AUDIT_WITNESS_URL,
        AUDIT_WITNESS_KEYS,
      };
    },
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
      await processes.close();
    },
  };
}
