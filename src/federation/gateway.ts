/**
 * The federated gateway's back end: it composes the subgraphs at start and executes each
 * request's document across them with the Hive gateway runtime. The front (routes, transport
 * and the request pipeline) is the single-process gateway's own, in src/server.ts, so every
 * stage runs alike on both topologies; this file supplies what differs: the composed schema
 * requests are validated against, an executor that plans across the subgraphs, signed
 * statements on every subgraph call, and subgraph failures as SOURCE_UNAVAILABLE.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { mergeResolvers } from '@graphql-tools/merge';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Adapters, SourceCheck } from '../../adapters';
import { NATIONAL_DATABASES, type DatabaseName } from '../../adapters/databases';
import { sourceCalls } from '../../adapters/source';
import { applyAccessPolicy } from '../access/enforcement';
import type { AccessStore } from '../access/store';
import type { AuditLog } from '../audit';
import type { Context } from '../context';
import { ErrorCode } from '../errors';
import type { Resolvers } from '../generated/graphql';
import type { Logger } from '../logger';
import { createAccessResolvers } from '../resolvers/access';
import { procedureResolvers } from '../resolvers/procedures';
import { createStatisticsResolvers } from '../resolvers/statistics';
import { protectedTypes } from '../schema';
import { releaseJoinKeys } from '../subgraph/keys';
import { buildSubgraphSchema } from '../subgraph/schema';
import { createSubgraphHandler, listenSubgraph } from '../subgraph/server';
import { compose, fetchSubgraphSdl, type SubgraphService } from './compose';
import type { StatementKeys } from './keys';
import {
  readOwnStatement,
  signStatement,
  StatementError,
  STATEMENT_HEADER,
  statementViewer,
} from './statement';

/** What the federated gateway needs beyond the configuration. */
export interface FederatedGatewayOptions {
  /** Where each national database's subgraph answers. */
  subgraphUrls: Record<DatabaseName, string>;
  /** The gateway's statement-signing key pair. */
  keys: StatementKeys;
}

/** The federated back end, as the front uses it. */
export interface FederatedBack {
  /** The composed public schema with the field policy: what requests are validated against. */
  schema: GraphQLSchema;
  /** The runtime's context over a request's: what an execution outside the executor needs. */
  executionContext(context: Context): Promise<Record<string, unknown>>;
  /** Apollo Server's gateway interface: the composed graph's executor. */
  gateway: ApolloServerOptionsWithGateway<Context>['gateway'];
  /** Each subgraph's probe, for /readyz, as the single process probes its databases. */
  checks: Record<DatabaseName, SourceCheck>;
  /** Where the gateway's own module (access log, consents, statistics) answers as a subgraph. */
  moduleUrl: string;
  subgraphUrls: Record<string, string>;
  close(): Promise<void>;
}

/** Error codes that mean the answer is incomplete because something failed. */
const FAILURES = new Set<string>([ErrorCode.SOURCE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR]);
const OUR_CODES = new Set<string>(Object.values(ErrorCode));
const NATIONAL = new Set<string>(NATIONAL_DATABASES);

/**
 * The field policy and consents on the composed schema, as in the single-process gateway; and
 * `prefill` / `checkDeclaration` run here, where the whole graph is, with the request's rights.
 */
function useAccessPolicy(onGuarded: (schema: GraphQLSchema) => void): GatewayPlugin {
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
      const next = applyAccessPolicy(withProcedures, protectedTypes(), { consentAtSource: true });
      guarded.add(next);
      onGuarded(next);
      replaceSchema(next);
    },
  };
}

/**
 * Signs a statement for every subgraph call (who asks, for what purpose, bound to the body and
 * the subgraph), counts the call as a source call of that national database, and keeps the
 * reference of the provider-side entry the subgraph answers with, for the consumer entry.
 */
function useSignedStatements(deps: {
  keys: StatementKeys;
  subgraphOf: (url: string) => string | undefined;
  consentUrl: string;
}): GatewayPlugin {
  return {
    async onFetch({ url, options, setOptions, context }) {
      const audience = deps.subgraphOf(url);
      if (!audience) return;
      const done = NATIONAL.has(audience)
        ? sourceCalls.begin(audience as DatabaseName, 1)
        : undefined;
      const ctx = context as Partial<Context>;
      const body = typeof options.body === 'string' ? options.body : '';
      const purpose = ctx.access?.purpose ?? null;
      const token = await signStatement(deps.keys.privateKey, audience, body, {
        viewer: ctx.viewer ? statementViewer(ctx.viewer, purpose) : null,
        purpose,
        actor: ctx.viewer?.actor ?? null,
        caseId: ctx.viewer?.caseId ?? null,
        requestId: ctx.requestId ?? randomUUID(),
        consentUrl: deps.consentUrl,
      });
      setOptions({
        ...options,
        headers: { ...(options.headers as Record<string, string>), [STATEMENT_HEADER]: token },
      });
      return ({ response }) => done?.(response.ok ? null : `status_${response.status}`);
    },
  };
}

/** What a subgraph reports of one call, in its response's `extensions.access`. */
interface ProviderReport {
  entry?: string | null;
  subjects?: string[];
  denied?: string[];
}

/**
 * Takes each subgraph's report into the request's access record: the provider-side entry it
 * committed (its reference goes into the consumer entry), and the subjects and refusals only
 * the source could see (whose record an insurance number is). The report goes no further.
 */
function useProviderReports(): GatewayPlugin {
  return {
    onSubgraphExecute({ executionRequest }) {
      const access = (executionRequest.context as Partial<Context> | undefined)?.access;
      return ({ result, setResult }) => {
        if (!access || Symbol.asyncIterator in result) return;
        const report = result.extensions?.access as ProviderReport | undefined;
        if (!report) return;
        if (typeof report.entry === 'string') access.providerEntries.push(report.entry);
        for (const subject of report.subjects ?? []) access.subjects.add(subject);
        for (const coordinate of report.denied ?? []) access.denied.add(coordinate);
        const { access: _report, ...extensions } = result.extensions ?? {};
        setResult({ ...result, extensions });
      };
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

/** How long past its own deadline a subgraph may take to send what it has. */
const SUBGRAPH_ANSWER_MARGIN_MS = 1_000;

/** Where the subgraphs ask for consents, beside the gateway's own module. */
const CONSENTS_ROUTE = '/consents';
const MAX_CONSENT_LOOKUP = 1_000;

/**
 * The consent registry as the subgraphs reach it: a subgraph presents the statement the gateway
 * signed for its call and names the citizens whose records it holds; it learns the consents in
 * force for that statement's client and purpose, for those citizens only.
 */
function consentRegistry(store: AccessStore, keys: StatementKeys, logger: Logger) {
  const answer = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      const header = req.headers[STATEMENT_HEADER];
      const statement = await readOwnStatement(
        keys.publicKey,
        Array.isArray(header) ? header[0] : header,
        NATIONAL_DATABASES,
      );
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { citizenIds } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        citizenIds?: unknown;
      };
      const viewer = statement.viewer;
      if (
        !Array.isArray(citizenIds) ||
        citizenIds.length > MAX_CONSENT_LOOKUP ||
        !citizenIds.every((id) => typeof id === 'string')
      )
        return answer(res, 400, { error: 'citizenIds: at most 1000 identifiers' });
      if (viewer?.kind !== 'client' || !statement.purpose)
        return answer(res, 200, { consents: {} });
      const inForce = await store.consentsInForce(viewer.id, statement.purpose, citizenIds);
      return answer(res, 200, {
        consents: Object.fromEntries([...inForce].map(([id, fields]) => [id, [...fields]])),
      });
    } catch (error) {
      if (error instanceof StatementError) return answer(res, 401, { error: 'statement refused' });
      logger.error({ err: error }, 'consent lookup failed');
      return answer(res, error instanceof SyntaxError ? 400 : 500, {
        error: 'consent lookup failed',
      });
    }
  };
}

/** Probes one subgraph's health route within the caller's signal. */
function subgraphCheck(url: string): SourceCheck {
  const health = url.replace(/\/graphql$/, '/healthz');
  return {
    async ping(signal) {
      const response = await fetch(health, { signal });
      if (!response.ok) throw new Error(`${health} answered ${response.status}`);
    },
    circuit: () => 'closed',
  };
}

/**
 * Opens the federated back end: the gateway's own module (access log, consents, statistics)
 * served as a subgraph on a loopback port, the composition of every subgraph's SDL at start
 * (failing loudly, naming the conflict), and the runtime that executes across them.
 */
export async function openFederatedBack(
  config: { sourceTimeoutMs: number },
  logger: Logger,
  options: FederatedGatewayOptions,
  deps: { audit: AuditLog; store: AccessStore; adapters: Adapters },
): Promise<FederatedBack> {
  const { audit, store } = deps;
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
    adapters: deps.adapters,
    store,
    providerLog: null,
    gatewayKey: options.keys.publicKey,
    logger: logger.child({ subgraph: 'gateway' }),
  });
  const consents = consentRegistry(store, options.keys, logger);
  const moduleServer = await listenSubgraph(
    (req, res) => {
      if (req.url === CONSENTS_ROUTE && req.method === 'POST') return consents(req, res);
      return moduleHandler.handle(req, res);
    },
    '127.0.0.1',
    0,
  );
  const consentUrl = moduleServer.url.replace(/\/graphql$/, CONSENTS_ROUTE);

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

  // The schema requests are validated and introspected against is the one executed: with the policy.
  let schema: GraphQLSchema | undefined;
  const runtime = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: false,
    landingPage: false,
    // The front's error formatter decides what a client sees; the runtime passes errors on as
    // they are, so that a subgraph's failure keeps the name of its service.
    maskedErrors: false,
    // A subgraph bounds its own reads by the same budget and then answers with what it has
    // (its failed fields SOURCE_UNAVAILABLE): the gateway waits that long and a little more,
    // so that only a subgraph that does not answer at all fails as a whole.
    upstreamTimeout: config.sourceTimeoutMs + SUBGRAPH_ANSWER_MARGIN_MS,
    plugins: () => [
      useAccessPolicy((guarded) => (schema = guarded)),
      useSignedStatements({ keys: options.keys, subgraphOf, consentUrl }),
      useProviderReports(),
    ],
  });
  await runtime.getSchema();
  // Envelops once, so that the plugins' schema change (the policy above) has run.
  runtime.getEnveloped({});
  if (!schema) throw new Error('the composed schema was not guarded by the field policy');
  const guardedSchema: GraphQLSchema = schema;

  /** The runtime's own execution for one request, over the request's context (viewer, loaders, log). */
  async function envelop(context: Context) {
    // `request` is the runtime's own name (the HTTP request); the pipeline's state stays out.
    const { request: _pipeline, ...own } = context;
    const enveloped = runtime.getEnveloped(own);
    return {
      enveloped,
      contextValue: (await enveloped.contextFactory()) as Record<string, unknown>,
    };
  }

  async function executionContext(context: Context): Promise<Record<string, unknown>> {
    return (await envelop(context)).contextValue;
  }

  /** Executes a validated document across the subgraphs, with the request's own context. */
  async function executor(request: {
    document: DocumentNode;
    operation?: unknown;
    operationName: string | null;
    request: { variables?: Record<string, unknown>; operationName?: string };
    context: Record<string, unknown>;
  }): Promise<ExecutionResult> {
    // No operation by that name: Apollo answers 400 with the error, as the single process does.
    if (!request.operation) {
      const name = request.request.operationName;
      return {
        errors: [
          new GraphQLError(
            name ? `Unknown operation named "${name}".` : 'Must provide operation name.',
          ),
        ],
      };
    }
    const context = request.context as unknown as Context;
    const { enveloped, contextValue } = await envelop(context);
    const result = (await enveloped.execute({
      schema: enveloped.schema,
      document: request.document,
      variableValues: request.request.variables,
      operationName: request.operationName,
      contextValue,
    })) as ExecutionResult;
    if (result.errors) {
      // The runtime also hands back the errors of executions nested in a resolver (a prefill's
      // own read of the graph), at paths the client's document does not have: the prefill has
      // reported them in its fields already.
      const own = result.errors.filter(
        (error) => !error.path || fieldAt(request.document, error.path.slice(0, 1)) !== undefined,
      );
      result.errors = own.map((error) => sourceFailure(error, request.document, logger));
      if (result.errors.length === 0) delete (result as { errors?: unknown }).errors;
      for (const error of result.errors ?? []) {
        if (FAILURES.has(String(error.extensions?.code ?? ''))) context.access.failed = true;
      }
    }
    return result;
  }

  const checks = Object.fromEntries(
    NATIONAL_DATABASES.map((name) => [name, subgraphCheck(options.subgraphUrls[name])]),
  ) as Record<DatabaseName, SourceCheck>;

  return {
    schema: guardedSchema,
    executionContext,
    gateway: {
      async load() {
        return { executor: executor as never };
      },
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: guardedSchema, coreSupergraphSdl: supergraphSdl });
        return () => undefined;
      },
      async stop() {
        await runtime.dispose();
      },
    },
    checks,
    moduleUrl: moduleServer.url,
    subgraphUrls: urls,
    async close() {
      await runtime.dispose();
      await new Promise<void>((resolve) => {
        moduleServer.server.close(() => resolve());
        moduleServer.server.closeIdleConnections();
      });
      await moduleHandler.stop();
    },
  };
}
