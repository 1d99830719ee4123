import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { knex, type Knex } from 'knex';
import {
  openNationalSources,
  referenceOnlyAdapters,
  type Adapters,
  type NationalSources,
  type SourceCheck,
} from '../adapters';
import { knexLog, openConnections, type Connections } from '../adapters/connections';
import type { DatabaseName } from '../adapters/databases';
import { sourceCalls } from '../adapters/source';
import { createCitizenTokenVerifier, type CitizenTokenVerifier } from './access/citizen-token';
import { migrateAccess } from './access/migrations';
import { createRateLimiter } from './access/rate-limit';
import { AccessStore } from './access/store';
import { AuditLog, loadSigningKey, loadVerificationKeys, migrateAudit } from './audit';
import { usesEmbeddedDatabase, type Config } from './config';
import type { Context } from './context';
import { ErrorCode } from './errors';
import { EXPLORER_ASSET_PREFIX, explorerAsset, explorerPage } from './explorer';
import { createGraphQLHandler } from './http';
import {
  openFederatedBack,
  type FederatedBack,
  type FederatedGatewayOptions,
} from './federation/gateway';
import { createReferenceCaches } from './loaders';
import { isPagePath, servePage } from './pages';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { createPipeline } from './pipeline';
import { procedureCatalogue } from './procedures/catalogue';
import { buildSchema, protectedTypes } from './schema';
import { startAuditWitnessing } from './witness/embedded';
import { isPeerWitnessPath, startPeerWitness } from './witness/peers';
import { checkReadiness } from './readiness';
import { drainHttpServer } from './shutdown';

/** A running gateway: its HTTP server, the URL it answers on, and how to stop it cleanly. */
export interface Gateway {
  url: string;
  server: http.Server;
  /** The national databases this process reads: none on the federated gateway (its subgraphs do). */
  sources: NationalSources | undefined;
  /** The federated back end, when this gateway composes subgraphs. */
  federation: FederatedBack | undefined;
  store: AccessStore;
  audit: AuditLog;
  close(): Promise<void>;
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function openGatewayDatabase(
  url: string | undefined,
  fallback: Knex,
  poolSize: number,
  logger: Logger,
): { handle: Knex; own: boolean } {
  if (!url) return { handle: fallback, own: false };
  return {
    handle: knex({
      client: 'pg',
      connection: url,
      pool: { min: 0, max: poolSize },
      log: knexLog(logger),
    }),
    own: true,
  };
}

/** Where the gateway's own data lives when no GATEWAY_DATABASE_URL names it. */
interface GatewayBackData {
  sources: NationalSources | undefined;
  /** What resolvers in this process read: every national database, or the reference catalogue alone. */
  adapters: Adapters;
  /** The federated gateway's own connections, when it holds no national database. */
  local: Connections | undefined;
  fallback: Knex;
  embedded: boolean;
}

async function openBackData(
  config: Config,
  wiring: ReturnType<typeof import('./embedded').embeddedWiring> | undefined,
  federated: boolean,
): Promise<GatewayBackData> {
  if (!federated) {
    const sources = await openNationalSources({
      ...config,
      embeddedData: wiring?.data,
      startInsuranceService: wiring?.startInsuranceService,
    });
    return {
      sources,
      adapters: sources.adapters,
      local: undefined,
      fallback: sources.connections.knexFor('population'),
      embedded: Boolean(sources.connections.embedded),
    };
  }
  // The federated gateway's subgraphs hold the national data: its own is clients, consents and
  // the consumer log, in GATEWAY_DATABASE_URL, DATABASE_URL, or an embedded database of its own
  // (restored from the embedded data set, for the public reference catalogue it names units by).
  const local = await openConnections({
    databaseUrls: config.databaseUrls,
    embeddedDataDir: undefined,
    embeddedData: wiring?.data,
    poolSize: config.poolSize,
    sourceTimeoutMs: config.sourceTimeoutMs,
  });
  return {
    sources: undefined,
    adapters: referenceOnlyAdapters(local, config),
    local,
    fallback: local.knexFor('population'),
    embedded: Boolean(local.embedded) && !config.gatewayDatabaseUrl,
  };
}

/**
 * Starts the gateway: connects the national databases (the embedded default, seeded, when
 * none is configured) or, federated, composes the subgraphs that hold them; its own database
 * of clients and consents, and the access log; builds the schema with the access policy and
 * the request pipeline; and serves the routes. Both topologies share this front, so every
 * check of the pipeline runs on either.
 */
export async function startGateway(
  config: Config,
  logger: Logger,
  options: { federation?: FederatedGatewayOptions } = {},
): Promise<Gateway> {
  const started = Date.now();
  // Only the embedded default loads the mocks; a deployment names every source it uses.
  const wiring = usesEmbeddedDatabase(config)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
      (require('./embedded') as typeof import('./embedded')).embeddedWiring(config, logger)
    : undefined;
  const data = await openBackData(config, wiring, Boolean(options.federation));
  const { sources, embedded, fallback } = data;
  const gatewayDb = openGatewayDatabase(
    embedded ? undefined : config.gatewayDatabaseUrl,
    fallback,
    config.poolSize,
    logger,
  );
  const auditDb =
    embedded || config.auditDatabaseUrl === config.gatewayDatabaseUrl
      ? { handle: gatewayDb.handle, own: false }
      : openGatewayDatabase(config.auditDatabaseUrl, gatewayDb.handle, config.poolSize, logger);

  await migrateAccess(gatewayDb.handle);
  const store = new AccessStore(gatewayDb.handle);
  await migrateAudit(auditDb.handle);
  const signingKey = loadSigningKey(config.auditKeys, {
    generatedKeyFile: config.embeddedDataDir
      ? path.join(config.embeddedDataDir, 'audit-signing-key.pem')
      : undefined,
  });
  if (signingKey.generated && !embedded) {
    logger.warn(
      'no AUDIT_SIGNING_KEY: checkpoints are signed with a key made at start, which later runs cannot verify',
    );
  }
  // The log's witnesses (src/witness/): configured, in process on the embedded default, or none.
  const witnesses = await startAuditWitnessing(config, logger, {
    knex: auditDb.handle,
    signingKey,
    embedded: Boolean(embedded),
  });
  const audit = new AuditLog(auditDb.handle, {
    signingKey,
    verificationKeys: loadVerificationKeys(config.auditKeys),
    onError: (error) => logger.error({ err: error }, 'access log background work failed'),
    checkpointEvery: config.auditCheckpointEntries,
    checkpointIntervalMs: config.auditCheckpointSeconds * 1000,
    witnessing: witnesses.witnessing,
  });
  if (!config.auditLog)
    logger.warn(
      'AUDIT_LOG=off: personal data is released without an access log entry (benchmarks only)',
    );

  const federation = options.federation
    ? await openFederatedBack(config, logger, options.federation, {
        audit,
        store,
        adapters: data.adapters,
      })
    : undefined;
  const schema = federation ? federation.schema : buildSchema({ audit, store });
  // Federated, the gateway also witnesses its subgraphs' logs, in its own database.
  const peerWitness = await startPeerWitness(config.peerWitness, auditDb.handle, logger);
  // The catalogue is checked against the schema now, so a bad procedure file stops the start.
  const procedureCodes = procedureCatalogue().codes();
  const demoClients = embedded || config.demoClients;
  if (demoClients) await store.registerDemoClients(procedureCodes);

  const vneid = config.citizenTokenPublicKey
    ? { publicKeyPem: config.citizenTokenPublicKey, issuer: config.citizenTokenIssuer }
    : wiring?.vneid;
  if (vneid && !vneid.issuer) throw new Error('VNEID_ISSUER must be set with VNEID_PUBLIC_KEY');
  // Without an identity provider no citizen token is accepted.
  const citizenTokens: CitizenTokenVerifier = vneid
    ? createCitizenTokenVerifier({
        publicKeyPem: vneid.publicKeyPem,
        issuer: vneid.issuer as string,
      })
    : { verify: async () => null };
  const rateLimiter = createRateLimiter({ redisUrl: config.redisUrl });
  const metrics = createMetrics({
    sourceCalls,
    auditCounters: () => audit.writerCounters(),
    witnesses: () => audit.witnessStatus(),
  });
  const checks: Record<DatabaseName, SourceCheck> = federation
    ? federation.checks
    : (sources as NationalSources).checks;
  const pipeline = createPipeline({
    schema,
    gateway: federation?.gateway,
    executionContext: federation?.executionContext,
    protectedTypes: protectedTypes(),
    adapters: data.adapters,
    caches: createReferenceCaches(),
    store,
    audit,
    auditEnabled: config.auditLog,
    citizenTokens,
    rateLimiter,
    budgets: {
      unauthenticatedPerAddress: config.unauthenticatedRatePerMinute,
      perCitizen: config.citizenRatePerMinute,
    },
    metrics,
    logger,
  });
  // The explorer's example names a citizen only where the data is synthetic.
  const sample = demoClients
    ? await fallback.raw('SELECT min(id) AS id FROM population.citizens').then(
        (result: { rows: { id: string | null }[] }) => result.rows[0]?.id ?? null,
        () => null,
      )
    : null;

  const apollo = new ApolloServer<Context>(pipeline.apolloOptions);
  await apollo.start();
  const graphql = createGraphQLHandler(apollo, pipeline);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const route = url.pathname;

    if (route === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (peerWitness && isPeerWitnessPath(route)) return peerWitness.handle(req, res);
    if (route === '/readyz') {
      const { statusCode, body } = await checkReadiness(
        checks,
        auditDb.handle,
        config.readinessTimeoutMs,
        () => audit.witnessStatus(),
      );
      return sendJson(res, statusCode, body);
    }
    if (route === '/metrics') {
      if (config.metricsToken && req.headers.authorization !== `Bearer ${config.metricsToken}`) {
        return sendJson(
          res,
          401,
          {
            errors: [
              {
                message: 'Metrics need Authorization: Bearer <METRICS_TOKEN>.',
                extensions: { code: ErrorCode.UNAUTHENTICATED },
              },
            ],
          },
          { 'www-authenticate': 'Bearer' },
        );
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return res.end(await metrics.registry.metrics());
    }
    if (route.startsWith(EXPLORER_ASSET_PREFIX) && req.method === 'GET') {
      const asset = explorerAsset(route.slice(EXPLORER_ASSET_PREFIX.length));
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
      return res.end(asset.body);
    }
    if (isPagePath(route)) return servePage(req, res, route, wiring?.demoSignIn); // web pages
    if (route === '/graphql') {
      const accept = req.headers.accept ?? '';
      if (req.method === 'GET' && accept.includes('text/html') && !url.searchParams.has('query')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(explorerPage({ sampleCitizenId: sample, demoCredentials: demoClients }));
      }
      return graphql(req, res, url);
    }
    if (route === '/') {
      res.writeHead(302, { location: '/graphql' });
      return res.end();
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const errorId = randomUUID();
      logger.error({ errorId, err: error }, 'request failed');
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          {
            errors: [
              {
                message: `Internal server error; quote error id ${errorId}.`,
                extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
              },
            ],
          },
          { 'x-error-id': errorId },
        );
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info(
    {
      url: `${url}/graphql`,
      embedded,
      federated: Boolean(federation),
      ms: Date.now() - started,
    },
    'gateway ready',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    sources,
    federation,
    store,
    audit,
    close() {
      // Stop accepting, let requests in flight finish (and their log entries commit), then release the pools.
      closing ??= (async () => {
        await drainHttpServer(server, config.drainTimeoutMs, logger);
        await apollo.stop();
        await pipeline.close();
        metrics.close();
        await audit.close();
        await witnesses.close();
        await rateLimiter.close();
        if (auditDb.own) await auditDb.handle.destroy();
        if (gatewayDb.own) await gatewayDb.handle.destroy();
        await federation?.close();
        await sources?.close();
        await data.local?.close();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}
