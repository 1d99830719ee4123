/**
 * The federated gateway's front: composes the subgraphs at start, serves the composed graph with
 * the Hive gateway runtime, and handles each request in a list of plugins (authentication, the
 * field policy, signed statements to the subgraphs, source failures, the consumer-side access
 * log), each swappable for a stage of the request pipeline.
 */
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import DataLoader from 'dataloader';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { mergeResolvers } from '@graphql-tools/merge';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type SelectionSetNode,
  type GraphQLSchema,
} from 'graphql';
import { knex, type Knex } from 'knex';
import type { Adapters } from '../../adapters';
import { openConnections, type Connections } from '../../adapters/connections';
import type { DatabaseName } from '../../adapters/databases';
import { createCitizenTokenVerifier, type CitizenTokenVerifier } from '../access/citizen-token';
import { applyAccessPolicy } from '../access/enforcement';
import { operationHash } from '../access/keys';
import { migrateAccess } from '../access/migrations';
import { AccessStore } from '../access/store';
import { AccessRecord, viewerId, type Viewer } from '../access/viewer';
import {
  AuditLog,
  AuditUnavailableError,
  loadSigningKey,
  loadVerificationKeys,
  migrateAudit,
} from '../audit';
import type { AuditEntryInput, AuditOutcome } from '../audit/types';
import { usesEmbeddedDatabase, type Config } from '../config';
import { ErrorCode } from '../errors';
import { createAuthenticator } from '../pipeline/authenticate';
import { readRequestFacts } from '../pipeline/request';
import type { Resolvers } from '../generated/graphql';
import type { Logger } from '../logger';
import { procedureCatalogue } from '../procedures/catalogue';
import { createAccessResolvers } from '../resolvers/access';
import { procedureResolvers } from '../resolvers/procedures';
import { createStatisticsResolvers } from '../resolvers/statistics';
import { protectedTypes } from '../schema';
import { releaseJoinKeys } from '../subgraph/keys';
import { buildSubgraphSchema } from '../subgraph/schema';
import { createSubgraphHandler, listenSubgraph } from '../subgraph/server';
import { compose, fetchSubgraphSdl, type SubgraphService } from './compose';
import type { StatementKeys } from './keys';
import { signStatement, STATEMENT_HEADER, statementViewer } from './statement';

/** A running federated gateway. */
export interface FederatedGateway {
  url: string;
  server: http.Server;
  store: AccessStore;
  audit: AuditLog;
  /** Where the gateway's own module (access log, consents, procedures) answers as a subgraph. */
  moduleUrl: string;
  /** Calls made to each subgraph since start. */
  subgraphCalls(): Record<string, number>;
  close(): Promise<void>;
}

export interface FederatedGatewayOptions {
  /** Where each national database's subgraph answers. */
  subgraphUrls: Record<DatabaseName, string>;
  /** The gateway's statement-signing key pair. */
  keys: StatementKeys;
}

/** What the gateway knows of one request, from authentication to the consumer log entry. */
interface RequestState {
  requestId: string;
  at: Date;
  viewer: Viewer;
  access: AccessRecord;
}

/** What the plugins add to the runtime's context; what the schema's guards read. */
interface FederationContext {
  requestId: string;
  viewer: Viewer;
  access: AccessRecord;
  loaders: { consents: DataLoader<string, ReadonlySet<string>> };
  federation: RequestState;
}

/** Error codes that mean the answer is incomplete because something failed. */
const FAILURES = new Set<string>([ErrorCode.SOURCE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR]);
const OUR_CODES = new Set<string>(Object.values(ErrorCode));
/** The gateway's module reads no national database: its citizens are references by key. */
const NO_NATIONAL_DATA = {
  startDeadline: () => null,
  within() {
    return NO_NATIONAL_DATA;
  },
} as unknown as Adapters;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

function operationLabel(document: DocumentNode, operationName: string | null | undefined) {
  if (operationName) return operationName;
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return null;
  if (operation.name) return operation.name.value;
  return operation.selectionSet.selections
    .map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : '…'))
    .join(',');
}

function outcomeOf(access: AccessRecord): AuditOutcome {
  const denied = access.denied.size > 0;
  if (access.failed && access.fields.size === 0) return 'ERROR';
  if (denied) return access.fields.size > 0 ? 'PARTIAL' : 'DENIED';
  return access.failed ? 'ERROR' : 'OK';
}

/** Authenticates each request with the existing credentials; refuses and logs the rest. */
function useAuthentication(deps: {
  store: AccessStore;
  citizenTokens: CitizenTokenVerifier;
  states: WeakMap<Request, RequestState>;
  record: (entry: AuditEntryInput) => Promise<void>;
  logger: Logger;
}): GatewayPlugin {
  const authenticator = createAuthenticator({
    store: deps.store,
    citizenTokens: deps.citizenTokens,
  });
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== '/graphql') return;
      // The request pipeline's own stages: contract headers as UTF-8 and bounded, then the viewer.
      let facts;
      try {
        facts = readRequestFacts(
          { get: (name) => request.headers.get(name) ?? undefined },
          'unknown',
        );
      } catch (error) {
        return endResponse(
          json(400, {
            errors: [
              {
                message: (error as Error).message,
                extensions: { code: ErrorCode.BAD_USER_INPUT },
              },
            ],
          }),
        );
      }
      const requestId = facts.clientRequestId ?? facts.requestId;
      const viewer = await authenticator.authenticate(facts);
      const at = new Date();
      if (!viewer) {
        await deps
          .record({
            requestId,
            at,
            clientId: 'unknown',
            actor: null,
            purpose: null,
            caseId: null,
            operation: null,
            documentHash: null,
            subjects: [],
            fields: [],
            denied: [],
            outcome: 'UNAUTHENTICATED',
            durationMs: Date.now() - at.getTime(),
            restrictedUntil: null,
          })
          .catch((error: unknown) =>
            deps.logger.error({ err: error, requestId }, 'refusal not logged'),
          );
        return endResponse(
          json(
            401,
            {
              errors: [
                {
                  message:
                    'A valid credential is required: Authorization: Bearer <API key or citizen identity token>.',
                  extensions: { code: ErrorCode.UNAUTHENTICATED },
                },
              ],
            },
            { 'www-authenticate': 'Bearer', 'x-request-id': requestId },
          ),
        );
      }
      deps.states.set(request, {
        requestId,
        at,
        viewer,
        access: new AccessRecord(viewer.purpose),
      });
    },
    onContextBuilding({ context, extendContext }) {
      const state = deps.states.get((context as { request: Request }).request);
      if (!state) return;
      const { viewer, access } = state;
      const consents = new DataLoader<string, ReadonlySet<string>>(async (citizenIds) => {
        if (viewer.kind !== 'client' || !access.purpose)
          return citizenIds.map(() => new Set<string>());
        const inForce = await deps.store.consentsInForce(
          viewer.client.id,
          access.purpose,
          [...citizenIds],
          new Date(),
        );
        return citizenIds.map((id) => inForce.get(id) ?? new Set<string>());
      });
      extendContext({
        requestId: state.requestId,
        viewer,
        access,
        loaders: { consents },
        federation: state,
      } satisfies FederationContext);
    },
    onResponse({ request, response }) {
      const state = deps.states.get(request);
      if (state) response.headers.set('x-request-id', state.requestId);
    },
  };
}

/**
 * The field policy and consents on the composed schema, as in the single-process gateway; and
 * `prefill` / `checkDeclaration` run here, where the whole graph is, with the request's rights.
 */
function useAccessPolicy(): GatewayPlugin {
  const guarded = new WeakSet<GraphQLSchema>();
  return {
    onSchemaChange({ schema, replaceSchema }) {
      if (guarded.has(schema)) return;
      const procedures = procedureResolvers.Query as Record<string, unknown>;
      const withProcedures = mapSchema(schema, {
        [MapperKind.ROOT_FIELD]: (field, fieldName) =>
          fieldName === 'prefill' || fieldName === 'checkDeclaration'
            ? { ...field, resolve: procedures[fieldName] as typeof field.resolve }
            : field,
      });
      const next = applyAccessPolicy(withProcedures, protectedTypes());
      guarded.add(next);
      replaceSchema(next);
    },
  };
}

/** Signs a statement for every subgraph call, and counts the calls per subgraph. */
function useSignedStatements(deps: {
  keys: StatementKeys;
  subgraphOf: (url: string) => string | undefined;
  calls: Record<string, number>;
}): GatewayPlugin {
  return {
    async onFetch({ url, options, setOptions, context }) {
      const audience = deps.subgraphOf(url);
      if (!audience) return;
      deps.calls[audience] = (deps.calls[audience] ?? 0) + 1;
      const state = (context as Partial<FederationContext>).federation;
      const body = typeof options.body === 'string' ? options.body : '';
      const token = await signStatement(deps.keys.privateKey, audience, body, {
        viewer: state ? statementViewer(state.viewer, state.access.purpose) : null,
        purpose: state?.access.purpose ?? null,
        actor: state?.viewer.actor ?? null,
        caseId: state?.viewer.caseId ?? null,
        requestId: state?.requestId ?? randomUUID(),
      });
      setOptions({
        ...options,
        headers: { ...(options.headers as Record<string, string>), [STATEMENT_HEADER]: token },
      });
    },
  };
}

/**
 * The field of the client's document an error's path points to, so that an error passed on
 * from a subgraph carries the location the client wrote (the subgraph's own is of its query).
 */
function fieldAt(
  document: DocumentNode,
  path: readonly (string | number)[] | undefined,
): FieldNode[] | undefined {
  if (!path) return undefined;
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition.selectionSet);
  }
  const find = (set: SelectionSetNode, key: string): FieldNode | undefined => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === key)
        return selection;
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.selectionSet
          : selection.kind === Kind.FRAGMENT_SPREAD
            ? fragments.get(selection.name.value)
            : undefined;
      const found = inner && find(inner, key);
      if (found) return found;
    }
    return undefined;
  };
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return undefined;
  let set: SelectionSetNode | undefined = operation.selectionSet;
  let field: FieldNode | undefined;
  for (const key of path) {
    if (typeof key === 'number') continue;
    field = set && find(set, key);
    if (!field) return undefined;
    set = field.selectionSet;
  }
  return field ? [field] : undefined;
}

/**
 * A subgraph that failed, timed out or is down becomes SOURCE_UNAVAILABLE naming its national
 * database, on its fields only; the runtime's own error details stay in the log.
 */
function sourceFailure(error: GraphQLError, document: DocumentNode, logger: Logger): GraphQLError {
  const extensions = (error.extensions ?? {}) as Record<string, unknown>;
  const nodes = error.nodes ?? fieldAt(document, error.path);
  const service = typeof extensions.serviceName === 'string' ? extensions.serviceName : undefined;
  const code = typeof extensions.code === 'string' ? extensions.code : undefined;
  if (code && OUR_CODES.has(code)) {
    const { serviceName: _serviceName, ...rest } = extensions;
    return new GraphQLError(error.message, { path: error.path, nodes, extensions: rest });
  }
  // A variable that does not fit its type is refused before execution, as BAD_USER_INPUT.
  if (!code && !service && !error.path) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      extensions: { ...extensions, code: ErrorCode.BAD_USER_INPUT },
    });
  }
  if (!service || service === 'gateway') return error;
  logger.warn({ source: service, err: error.message, path: error.path }, 'subgraph unavailable');
  return new GraphQLError(
    `The ${service} database did not answer in time; other data is returned.`,
    {
      path: error.path,
      nodes,
      extensions: { code: ErrorCode.SOURCE_UNAVAILABLE, source: service },
    },
  );
}

/**
 * Maps subgraph failures, then commits the consumer-side entry before the answer leaves; if it
 * cannot be written nothing personal is released (AUDIT_UNAVAILABLE, 503).
 */
function useConsumerLog(deps: {
  record: (entry: AuditEntryInput) => Promise<void>;
  logger: Logger;
}): GatewayPlugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        const result = (await executeFn(args)) as ExecutionResult;
        const context = args.contextValue as Partial<FederationContext>;
        const state = context.federation;
        if (result.errors) {
          const errors = result.errors.map((error) =>
            sourceFailure(error, args.document, deps.logger),
          );
          result.errors = errors;
          for (const error of errors) {
            if (FAILURES.has(String(error.extensions?.code ?? '')) && state)
              state.access.failed = true;
          }
        }
        if (!state || !state.access.touched) return result;
        const { viewer, access } = state;
        const policy =
          viewer.kind === 'client' && access.purpose
            ? viewer.client.purposes.get(access.purpose)
            : undefined;
        const query = args.document;
        try {
          await deps.record({
            requestId: state.requestId,
            at: state.at,
            clientId: viewerId(viewer),
            actor: viewer.actor,
            purpose: access.purpose,
            caseId: viewer.caseId,
            operation: operationLabel(query, args.operationName),
            documentHash: operationHash(printDocument(query)),
            subjects: [...access.subjects],
            fields: [...access.fields],
            denied: [...access.denied],
            outcome: outcomeOf(access),
            durationMs: Date.now() - state.at.getTime(),
            restrictedUntil: policy?.restrictedDays
              ? new Date(state.at.getTime() + policy.restrictedDays * 86_400_000)
              : null,
          });
        } catch (error) {
          if (!(error instanceof AuditUnavailableError)) throw error;
          deps.logger.error({ err: error, requestId: state.requestId }, 'answer withheld');
          return {
            errors: [
              new GraphQLError(
                'The access log cannot be written, so no personal data is released. Try again later.',
                {
                  extensions: {
                    code: ErrorCode.AUDIT_UNAVAILABLE,
                    http: { status: 503, headers: { 'retry-after': '5' } },
                  },
                },
              ),
            ],
          };
        }
        return result;
      });
    },
  };
}

/** The query text of a document, for its hash in the log (the runtime hands the parsed form). */
function printDocument(document: DocumentNode): string {
  return document.loc?.source.body ?? JSON.stringify(document);
}

function openDatabase(url: string, poolSize: number): Knex {
  return knex({ client: 'pg', connection: url, pool: { min: 0, max: poolSize } });
}

/**
 * Starts the federated gateway: its own database (clients, consents, the consumer log), its own
 * module as a subgraph on a loopback port, the composition of every subgraph's SDL (failing
 * loudly, naming the conflict), and the runtime on PORT/HOST.
 */
export async function startFederatedGateway(
  config: Config,
  logger: Logger,
  options: FederatedGatewayOptions,
): Promise<FederatedGateway> {
  const started = Date.now();
  const embedded = usesEmbeddedDatabase(config) && !config.gatewayDatabaseUrl;
  const wiring = usesEmbeddedDatabase(config)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
      (require('../embedded') as typeof import('../embedded')).embeddedWiring(config, logger)
    : undefined;
  // The gateway's own data: an embedded database of its own, or GATEWAY_DATABASE_URL.
  let local: Connections | undefined;
  let gatewayDb: Knex;
  if (config.gatewayDatabaseUrl)
    gatewayDb = openDatabase(config.gatewayDatabaseUrl, config.poolSize);
  else {
    local = await openConnections({
      databaseUrls: config.databaseUrls,
      embeddedDataDir: undefined,
      poolSize: config.poolSize,
      sourceTimeoutMs: config.sourceTimeoutMs,
    });
    gatewayDb = local.knexFor('population');
  }
  const auditDb =
    config.auditDatabaseUrl && config.auditDatabaseUrl !== config.gatewayDatabaseUrl
      ? openDatabase(config.auditDatabaseUrl, config.poolSize)
      : undefined;
  await migrateAccess(gatewayDb);
  const store = new AccessStore(gatewayDb);
  await migrateAudit(auditDb ?? gatewayDb);
  const audit = new AuditLog(auditDb ?? gatewayDb, {
    signingKey: loadSigningKey(config.auditKeys, {
      generatedKeyFile: config.embeddedDataDir
        ? path.join(config.embeddedDataDir, 'audit-signing-key.pem')
        : undefined,
    }),
    verificationKeys: loadVerificationKeys(config.auditKeys),
    onError: (error) => logger.error({ err: error }, 'access log background work failed'),
  });
  if (embedded) await store.registerDemoClients(procedureCatalogue().codes());
  const vneid = config.citizenTokenPublicKey
    ? { publicKeyPem: config.citizenTokenPublicKey, issuer: config.citizenTokenIssuer }
    : wiring?.vneid;
  if (vneid && !vneid.issuer) throw new Error('VNEID_ISSUER must be set with VNEID_PUBLIC_KEY');
  const citizenTokens: CitizenTokenVerifier = vneid
    ? createCitizenTokenVerifier({
        publicKeyPem: vneid.publicKeyPem,
        issuer: vneid.issuer as string,
      })
    : { verify: async () => null };

  async function record(entry: AuditEntryInput): Promise<void> {
    if (!config.auditLog) return;
    await audit.append(entry);
  }

  // The gateway's own module, served like any subgraph so that the planner treats it alike.
  const types = protectedTypes();
  const moduleRaw = buildSubgraphSchema(
    'gateway',
    mergeResolvers([
      createAccessResolvers({ audit, store }),
      procedureResolvers,
      createStatisticsResolvers(audit),
    ]) as Resolvers,
  );
  const moduleHandler = await createSubgraphHandler({
    name: 'gateway',
    schema: releaseJoinKeys(applyAccessPolicy(moduleRaw, types), moduleRaw, types),
    adapters: NO_NATIONAL_DATA,
    store,
    providerLog: null,
    gatewayKey: options.keys.publicKey,
    logger: logger.child({ subgraph: 'gateway' }),
  });
  const moduleServer = await listenSubgraph(moduleHandler.handle, '127.0.0.1', 0);

  const urls: Record<string, string> = { ...options.subgraphUrls, gateway: moduleServer.url };
  const byUrl = new Map(Object.entries(urls).map(([name, url]) => [url, name]));
  const subgraphOf = (url: string) => byUrl.get(url.split('?')[0]);

  // Composition at start, from what each subgraph says it serves.
  const services: SubgraphService[] = [];
  for (const [name, url] of Object.entries(urls)) {
    const body = JSON.stringify({ query: '{ _service { sdl } }' });
    const token = await signStatement(options.keys.privateKey, name, body, {
      viewer: null,
      purpose: null,
      actor: null,
      caseId: null,
      requestId: randomUUID(),
    });
    services.push({
      name,
      url,
      sdl: await fetchSubgraphSdl(name, url, { [STATEMENT_HEADER]: token }),
    });
  }
  const { supergraphSdl } = compose(services);

  const states = new WeakMap<Request, RequestState>();
  const calls: Record<string, number> = {};
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    landingPage: false,
    graphqlEndpoint: '/graphql',
    upstreamTimeout: config.sourceTimeoutMs,
    plugins: () => [
      useAuthentication({ store, citizenTokens, states, record, logger }),
      useAccessPolicy(),
      useSignedStatements({ keys: options.keys, subgraphOf, calls }),
      useConsumerLog({ record, logger }),
    ],
  });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return res.end(JSON.stringify({ status: 'ok' }));
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return res.end(JSON.stringify({ subgraphCalls: calls }));
    }
    if (url.pathname === '/readyz') {
      void Promise.all(
        Object.entries(urls).map(async ([name, subgraphUrl]) => {
          const health = subgraphUrl.replace(/\/graphql$/, '/healthz');
          const up = await fetch(health, { signal: AbortSignal.timeout(config.sourceTimeoutMs) })
            .then((response) => response.ok)
            .catch(() => false);
          return [name, up ? 'up' : 'down'] as const;
        }),
      ).then((states) => {
        const sources = Object.fromEntries(states);
        const ready = states.every(([, state]) => state === 'up');
        res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ status: ready ? 'ready' : 'degraded', sources }));
      });
      return;
    }
    return runtime(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info(
    { url: `${url}/graphql`, subgraphs: urls, ms: Date.now() - started },
    'federated gateway ready',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    store,
    audit,
    moduleUrl: moduleServer.url,
    subgraphCalls: () => ({ ...calls }),
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await runtime.dispose();
        await new Promise<void>((resolve) => {
          moduleServer.server.close(() => resolve());
          moduleServer.server.closeIdleConnections();
        });
        await moduleHandler.stop();
        await audit.close();
        await auditDb?.destroy();
        if (local) await local.close();
        else await gatewayDb.destroy();
      })();
      return closing;
    },
  };
}
