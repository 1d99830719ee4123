import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { execute, Kind, parse, validate, type DocumentNode } from 'graphql';
import { knex, type Knex } from 'knex';
import { openNationalSources, type NationalSources } from '../adapters';
import { sourceCalls } from '../adapters/source';
import { createCitizenTokenVerifier, type CitizenTokenVerifier } from './access/citizen-token';
import { createIntrospectionSchemas, isIntrospection } from './access/introspection';
import { checkOperationLimits, DEFAULT_LIMITS } from './access/limits';
import { migrateAccess } from './access/migrations';
import { operationHash } from './access/keys';
import { createRateLimiter } from './access/rate-limit';
import { authenticateRequest, createClientCache } from './access/request';
import { AccessStore } from './access/store';
import { viewerId, type Viewer } from './access/viewer';
import {
  AuditLog,
  AuditUnavailableError,
  loadSigningKey,
  loadVerificationKeys,
  migrateAudit,
} from './audit';
import type { AuditEntryInput, AuditOutcome } from './audit/types';
import { createCache } from './cache';
import { usesEmbeddedDatabase, type Config } from './config';
import { createContext, type Context } from './context';
import { createErrorFormatter, ErrorCode } from './errors';
import { EXPLORER_ASSET_PREFIX, explorerAsset, explorerPage } from './explorer';
import { createReferenceCaches } from './loaders';
import type { Logger } from './logger';
import { procedureCatalogue } from './procedures/catalogue';
import { buildSchema, protectedTypes } from './schema';
import { checkReadiness } from './readiness';
import { drainHttpServer } from './shutdown';

/** A running gateway: its HTTP server, the URL it answers on, and how to stop it cleanly. */
export interface Gateway {
  url: string;
  server: http.Server;
  sources: NationalSources;
  store: AccessStore;
  audit: AuditLog;
  close(): Promise<void>;
}

/** Largest request body accepted; a GraphQL document with variables fits easily. */
const MAX_BODY_BYTES = 1_000_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * Depth, alias and cost bounds of one operation. Lists are bounded far above the contract's 100
 * ids, which the resolvers refuse with BAD_USER_INPUT naming the argument; a 100-citizen
 * profile two levels deep stays within the cost.
 */
const LIMITS = { ...DEFAULT_LIMITS, maxCost: 50_000, maxListArgument: 1_000 };
/** Error codes that mean the answer is incomplete because something failed. */
const FAILURES = new Set<string>([ErrorCode.SOURCE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR]);

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** The body of a GraphQL-over-HTTP error that happens before execution. */
function requestError(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The GraphQL request carried by a POST body or GET query string. */
interface GraphQLParams {
  query: string | undefined;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

function paramsOf(method: string, body: unknown, url: URL): GraphQLParams {
  if (method === 'GET') {
    let variables: Record<string, unknown> | undefined;
    try {
      variables = url.searchParams.has('variables')
        ? JSON.parse(url.searchParams.get('variables') as string)
        : undefined;
    } catch {
      variables = undefined;
    }
    return {
      query: url.searchParams.get('query') ?? undefined,
      operationName: url.searchParams.get('operationName') ?? undefined,
      variables,
    };
  }
  const params = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    query: typeof params.query === 'string' ? params.query : undefined,
    operationName: typeof params.operationName === 'string' ? params.operationName : undefined,
    variables:
      typeof params.variables === 'object' && params.variables !== null
        ? (params.variables as Record<string, unknown>)
        : undefined,
  };
}

/** The operation name, or the root fields asked for, as the access log names an operation. */
function operationLabel(
  document: DocumentNode | null,
  operationName: string | undefined,
): string | null {
  if (operationName) return operationName;
  const operation = document?.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return null;
  if (operation.name) return operation.name.value;
  return operation.selectionSet.selections
    .map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : '…'))
    .join(',');
}

function openGatewayDatabase(
  url: string | undefined,
  fallback: Knex,
  poolSize: number,
): { handle: Knex; own: boolean } {
  if (!url) return { handle: fallback, own: false };
  return {
    handle: knex({ client: 'pg', connection: url, pool: { min: 0, max: poolSize } }),
    own: true,
  };
}

/**
 * Starts the gateway: connects the national databases (the embedded one, seeded, when none is
 * configured), its own database of clients and consents, and the access log; builds the
 * schema with the access policy; and serves GraphQL, the explorer and the health routes.
 */
export async function startGateway(config: Config, logger: Logger): Promise<Gateway> {
  const started = Date.now();
  // Only the embedded default loads the mocks; a deployment names every source it uses.
  const wiring = usesEmbeddedDatabase(config)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
      (require('./embedded') as typeof import('./embedded')).embeddedWiring(config, logger)
    : undefined;
  const sources = await openNationalSources({
    ...config,
    embeddedData: wiring?.data,
    startInsuranceService: wiring?.startInsuranceService,
  });
  const embedded = sources.connections.embedded;
  const fallback = sources.connections.knexFor('population');
  const gatewayDb = openGatewayDatabase(
    embedded ? undefined : config.gatewayDatabaseUrl,
    fallback,
    config.poolSize,
  );
  const auditDb =
    embedded || config.auditDatabaseUrl === config.gatewayDatabaseUrl
      ? { handle: gatewayDb.handle, own: false }
      : openGatewayDatabase(config.auditDatabaseUrl, gatewayDb.handle, config.poolSize);

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
  const audit = new AuditLog(auditDb.handle, {
    signingKey,
    verificationKeys: loadVerificationKeys(config.auditKeys),
    onError: (error) => logger.error({ err: error }, 'access log background work failed'),
  });
  if (!config.auditLog)
    logger.warn(
      'AUDIT_LOG=off: personal data is released without an access log entry (benchmarks only)',
    );

  const schema = buildSchema({ audit, store });
  // The catalogue is checked against the schema now, so a bad procedure file stops the start.
  const procedureCodes = procedureCatalogue().codes();
  if (embedded) await store.registerDemoClients(procedureCodes);

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
  const clients = createClientCache();
  const rateLimiter = createRateLimiter({ redisUrl: config.redisUrl });
  const introspection = createIntrospectionSchemas(schema, protectedTypes());
  const documents = createCache<{ document: DocumentNode }>({ max: 2000, ttlMs: 60 * 60 * 1000 });
  const caches = createReferenceCaches();
  const sample = await fallback.raw('SELECT min(id) AS id FROM population.citizens').then(
    (result: { rows: { id: string | null }[] }) => result.rows[0]?.id ?? null,
    () => null,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The gateway drains on SIGTERM itself (src/shutdown.ts); Apollo's handler would race it.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      {
        // Which kinds of error the answer carries, for the outcome in the access log.
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              if (response.body.kind !== 'single') return;
              for (const error of response.body.singleResult.errors ?? []) {
                const code = String(error.extensions?.code ?? '');
                if (FAILURES.has(code)) contextValue.access.failed = true;
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  function parseCached(query: string): DocumentNode | null {
    const hit = documents.get(query);
    if (hit) return hit.document;
    try {
      const document = parse(query, { maxTokens: 20_000 });
      documents.set(query, { document });
      return document;
    } catch {
      return null; // Apollo reports the parse error with its own code and location.
    }
  }

  /** Commits the request's access log entry; nothing personal leaves before it is written. */
  async function record(entry: AuditEntryInput): Promise<void> {
    if (!config.auditLog) return;
    await audit.append(entry);
  }

  function entryFor(
    viewer: Viewer | null,
    requestId: string,
    at: Date,
    params: GraphQLParams,
    document: DocumentNode | null,
    outcome: AuditOutcome,
    extra: Partial<AuditEntryInput> = {},
  ): AuditEntryInput {
    const policy =
      viewer?.kind === 'client' && viewer.purpose
        ? viewer.client.purposes.get(viewer.purpose)
        : undefined;
    return {
      requestId,
      at,
      clientId: viewer ? viewerId(viewer) : 'unknown',
      actor: viewer?.actor ?? null,
      purpose: viewer?.purpose ?? null,
      caseId: viewer?.caseId ?? null,
      operation: operationLabel(document, params.operationName),
      documentHash: params.query ? operationHash(params.query) : null,
      subjects: [],
      fields: [],
      denied: [],
      outcome,
      durationMs: Date.now() - at.getTime(),
      restrictedUntil: policy?.restrictedDays
        ? new Date(at.getTime() + policy.restrictedDays * 86_400_000)
        : null,
      ...extra,
    };
  }

  /** A request refused before execution: logged, then answered with its contract code. */
  async function refuse(
    res: http.ServerResponse,
    status: number,
    code: string,
    message: string,
    entry: AuditEntryInput,
    headers: Record<string, string> = {},
  ) {
    try {
      await record(entry);
    } catch (error) {
      logger.error(
        { err: error, requestId: entry.requestId },
        'refusal not logged: access log unavailable',
      );
    }
    sendJson(res, status, requestError(code, message), headers);
  }

  async function graphql(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
    url: URL,
  ) {
    const at = new Date();
    const method = req.method ?? 'GET';
    let body: unknown;
    if (method === 'POST') {
      const text = await readBody(req);
      if ((req.headers['content-type'] ?? '').includes('json')) {
        try {
          body = text === '' ? {} : JSON.parse(text);
        } catch {
          return sendJson(
            res,
            400,
            requestError('BAD_REQUEST', 'The request body is not valid JSON.'),
          );
        }
      } else {
        body = text;
      }
    }
    const params = paramsOf(method, body, url);
    const document = params.query ? parseCached(params.query) : null;

    const viewer = await authenticateRequest(req.headers, store, clients, citizenTokens);
    if (!viewer) {
      return refuse(
        res,
        401,
        ErrorCode.UNAUTHENTICATED,
        'A valid credential is required: Authorization: Bearer <API key or citizen identity token>.',
        entryFor(null, requestId, at, params, document, 'UNAUTHENTICATED'),
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (viewer.kind === 'client') {
      const decision = await rateLimiter.consume(
        viewer.client.id,
        viewer.client.rateLimitPerMinute,
      );
      if (!decision.allowed) {
        return refuse(
          res,
          429,
          ErrorCode.RATE_LIMITED,
          `Client "${viewer.client.id}" has used its ${viewer.client.rateLimitPerMinute} requests per minute.`,
          entryFor(viewer, requestId, at, params, document, 'DENIED'),
          { 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterSeconds))) },
        );
      }
      if (viewer.client.persistedOnly && params.query) {
        const registered = await store.isRegisteredOperation(
          viewer.client.id,
          operationHash(params.query),
        );
        if (!registered) {
          return refuse(
            res,
            403,
            ErrorCode.FORBIDDEN,
            `Client "${viewer.client.id}" may run registered operations only; this document is not registered.`,
            entryFor(viewer, requestId, at, params, document, 'DENIED'),
          );
        }
      }
    }
    if (document) {
      const problem = checkOperationLimits(document, schema, {
        ...LIMITS,
        variables: params.variables,
        operationName: params.operationName,
      });
      if (problem) {
        return refuse(
          res,
          400,
          ErrorCode.QUERY_TOO_COMPLEX,
          `The operation is too complex: ${problem.reason}.`,
          entryFor(viewer, requestId, at, params, document, 'DENIED'),
        );
      }
      if (isIntrospection(document)) {
        // The schema as this viewer may see it; no personal data, so nothing to log.
        const visible = introspection.forViewer(viewer);
        const errors = validate(visible, document);
        if (errors.length > 0) {
          return sendJson(res, 400, {
            errors: errors.map((error) => ({
              ...error.toJSON(),
              extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
            })),
          });
        }
        const result = await execute({
          schema: visible,
          document,
          variableValues: params.variables,
          operationName: params.operationName,
        });
        return sendJson(res, 200, result);
      }
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
    let context: Context | undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () =>
        (context = createContext(sources.adapters, caches, store, viewer, requestId)),
    });

    const access = context?.access;
    if (access?.touched) {
      const denied = access.denied.size > 0;
      const outcome: AuditOutcome =
        access.failed && access.fields.size === 0
          ? 'ERROR'
          : denied
            ? access.fields.size > 0
              ? 'PARTIAL'
              : 'DENIED'
            : access.failed
              ? 'ERROR'
              : 'OK';
      try {
        await record(
          entryFor(
            { ...viewer, purpose: access.purpose } as Viewer,
            requestId,
            at,
            params,
            document,
            outcome,
            {
              subjects: [...access.subjects],
              fields: [...access.fields],
              denied: [...access.denied],
            },
          ),
        );
      } catch (error) {
        if (!(error instanceof AuditUnavailableError)) throw error;
        logger.error({ err: error, requestId }, 'access log unavailable: answer withheld');
        return sendJson(
          res,
          503,
          requestError(
            ErrorCode.AUDIT_UNAVAILABLE,
            'The access log cannot be written, so no personal data is released. Try again later.',
          ),
          { 'retry-after': '5' },
        );
      }
    }

    const outHeaders: Record<string, string> = {};
    for (const [key, value] of response.headers) outHeaders[key] = value;
    res.writeHead(response.status ?? 200, outHeaders);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;

    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const { statusCode, body } = await checkReadiness(
        sources,
        auditDb.handle,
        config.readinessTimeoutMs,
      );
      return sendJson(res, statusCode, body);
    }
    if (path === '/metrics') {
      return sendJson(res, 200, {
        sourceCalls: sourceCalls.snapshot(),
        auditWriter: audit.writerCounters(),
      });
    }
    if (path.startsWith(EXPLORER_ASSET_PREFIX) && req.method === 'GET') {
      const asset = explorerAsset(path.slice(EXPLORER_ASSET_PREFIX.length));
      if (!asset) return sendJson(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
      return res.end(asset.body);
    }
    if (path === '/graphql') {
      const accept = req.headers.accept ?? '';
      if (req.method === 'GET' && accept.includes('text/html') && !url.searchParams.has('query')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(explorerPage(sample));
      }
      return graphql(req, res, requestId, url);
    }
    if (path === '/') {
      res.writeHead(302, { location: '/graphql' });
      return res.end();
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof RangeError) {
        sendJson(
          res,
          413,
          requestError('BAD_REQUEST', `The request body exceeds ${MAX_BODY_BYTES} bytes.`),
        );
        return;
      }
      const errorId = randomUUID();
      logger.error({ errorId, err: error }, 'request failed');
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          requestError(
            ErrorCode.INTERNAL_SERVER_ERROR,
            `Internal server error; quote error id ${errorId}.`,
          ),
          {
            'x-error-id': errorId,
          },
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
  logger.info({ url: `${url}/graphql`, embedded, ms: Date.now() - started }, 'gateway ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    sources,
    store,
    audit,
    close() {
      // Stop accepting, let requests in flight finish (and their log entries commit), then release the pools.
      closing ??= (async () => {
        await drainHttpServer(server, config.drainTimeoutMs, logger);
        await apollo.stop();
        await audit.close();
        await rateLimiter.close();
        if (auditDb.own) await auditDb.handle.destroy();
        if (gatewayDb.own) await gatewayDb.handle.destroy();
        await sources.close();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}
