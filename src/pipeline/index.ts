/**
 * The request pipeline: every check a GraphQL request passes, one stage a file, run on Apollo
 * Server's own request lifecycle so that no route (POST, GET, a document id, any size, any
 * shape of document) reaches execution without passing every stage:
 *
 *   request.ts            the request's ids and contract headers, as UTF-8, bounded
 *   authenticate.ts       API key or citizen identity token -> viewer        (context)
 *   rate-limit.ts         a budget for every viewer, and for every address   (context)
 *   trusted-documents.ts  document ids resolved; persisted-only clients      (persisted queries, didResolveOperation)
 *   limits.ts             tokens (parser), directives (validation), depth, aliases, cost,
 *                         input depth                                        (didResolveOperation)
 *   introspection.ts      the schema as this viewer may see it               (responseForOperation)
 *   ../access/enforcement.ts  field policy and consent, a schema transform   (execution)
 *   access-log.ts         the entry committed before anything is released    (willSendResponse)
 *   refusals.ts           refusals before any data, logged without flooding the log
 *
 * The stages are plain functions; this file wires them to Apollo Server. Another front (the
 * federated gateway) wires the same stages to its own lifecycle.
 */
import type {
  ApolloServerOptionsWithGateway,
  ApolloServerOptionsWithSchema,
  ApolloServerPlugin,
  GraphQLRequestContext,
} from '@apollo/server';
import { Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Adapters } from '../../adapters';
import type { CitizenTokenVerifier } from '../access/citizen-token';
import type { ProtectedTypes } from '../access/enforcement';
import type { RateLimiter } from '../access/rate-limit';
import type { AccessStore } from '../access/store';
import { viewerId } from '../access/viewer';
import type { AuditLog } from '../audit';
import { createContext, type Context } from '../context';
import { createErrorFormatter, ErrorCode, refusal } from '../errors';
import type { ReferenceCaches } from '../loaders';
import type { Logger } from '../logger';
import type { GatewayMetrics } from '../metrics';
import { createAccessLogStage, entryFor } from './access-log';
import { createAuthenticator } from './authenticate';
import { createIntrospectionStage } from './introspection';
import { createLimitsStage, GATEWAY_LIMITS, type RequestLimits } from './limits';
import { createRateLimitStage, type AbuseBudgets } from './rate-limit';
import { createRefusalLog } from './refusals';
import { readRequestFacts, type HeaderSource, type RequestFacts } from './request';
import { createTrustedDocuments } from './trusted-documents';

export type { RequestFacts } from './request';

/** What the pipeline needs; built once at start. */
export interface PipelineOptions {
  /** The public schema with the field policy: what requests are validated against. */
  schema: GraphQLSchema;
  /** The federated gateway's executor over the subgraphs; absent, the schema executes here. */
  gateway?: ApolloServerOptionsWithGateway<Context>['gateway'];
  /** What an execution outside Apollo (introspection) runs with; the request's context by default. */
  executionContext?: (context: Context) => Promise<unknown>;
  protectedTypes: ProtectedTypes;
  adapters: Adapters;
  caches: ReferenceCaches;
  store: AccessStore;
  audit: AuditLog;
  /** False only for benchmarks that measure what the log costs. */
  auditEnabled: boolean;
  citizenTokens: CitizenTokenVerifier;
  rateLimiter: RateLimiter;
  budgets: AbuseBudgets;
  metrics: GatewayMetrics;
  logger: Logger;
  limits?: RequestLimits;
}

/** The root fields an operation calls, as metrics name it: schema names only, bounded. */
function rootFields(
  schema: GraphQLSchema,
  document: DocumentNode | undefined,
  name?: string | null,
) {
  const operation = document?.definitions.find(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && (!name || definition.name?.value === name),
  );
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 'none';
  const root = schema.getRootType(operation.operation);
  const known = root ? root.getFields() : {};
  const names = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) names.add('(fragment)');
    else if (selection.name.value in known || selection.name.value.startsWith('__'))
      names.add(selection.name.value);
  }
  return [...names].sort().join(',').slice(0, 120) || 'none';
}

/** Builds the pipeline: Apollo Server's options, and the request facts and context it runs on. */
export function createPipeline(options: PipelineOptions) {
  const { schema, store, audit, logger, metrics } = options;
  const formatError = createErrorFormatter(logger);
  const authenticator = createAuthenticator({ store, citizenTokens: options.citizenTokens });
  const rateLimit = createRateLimitStage(options.rateLimiter, options.budgets);
  const refusals = createRefusalLog({
    append: async (entry) => {
      if (options.auditEnabled) await audit.append(entry);
    },
    logger,
  });
  const trusted = createTrustedDocuments(store);
  const limits = createLimitsStage(schema, options.limits ?? GATEWAY_LIMITS);
  const introspection = createIntrospectionStage(
    schema,
    options.protectedTypes,
    formatError,
    options.executionContext,
  );
  const accessLog = createAccessLogStage({ audit, enabled: options.auditEnabled, logger });

  /** Authenticates and takes the viewer's budget; the request's context, or a refusal. */
  async function contextFor(facts: RequestFacts): Promise<Context> {
    const viewer = await authenticator.authenticate(facts);
    if (!viewer) {
      // An address that keeps presenting bad credentials is slowed down, and logged sparsely.
      await rateLimit.forUnauthenticated(facts.address);
      await refusals.record(
        `address:${facts.address}`,
        entryFor({
          viewer: null,
          facts,
          purpose: facts.purpose,
          operation: null,
          documentHash: null,
          outcome: 'UNAUTHENTICATED',
        }),
      );
      throw refusal(
        ErrorCode.UNAUTHENTICATED,
        401,
        'A valid credential is required: Authorization: Bearer <API key or citizen identity token>.',
        { 'www-authenticate': 'Bearer' },
      );
    }
    try {
      await rateLimit.forViewer(viewer);
    } catch (error) {
      await refusals.record(
        `viewer:${viewerId(viewer)}`,
        entryFor({
          viewer,
          facts,
          purpose: facts.purpose,
          operation: null,
          documentHash: null,
          outcome: 'DENIED',
        }),
      );
      throw error;
    }
    const context = createContext(options.adapters, options.caches, store, viewer, facts.requestId);
    context.request = { facts, introspection: false };
    return context;
  }

  const stages: ApolloServerPlugin<Context> = {
    async contextCreationDidFail({ error }) {
      const code = String((error as { extensions?: { code?: unknown } }).extensions?.code ?? '');
      metrics.refusals.inc({ code: code || ErrorCode.INTERNAL_SERVER_ERROR });
      metrics.requests.inc({ operation: 'none', client: 'unknown', outcome: code || 'ERROR' });
    },
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const ctx = requestContext.contextValue;
          const { document, request } = requestContext;
          try {
            await trusted.check(ctx.viewer, requestContext.queryHash as string);
            limits.check(document, request.variables, request.operationName);
          } catch (error) {
            ctx.access.refusedWith = String(
              (error as { extensions?: { code?: unknown } }).extensions?.code,
            );
            throw error;
          }
          if (ctx.request && introspection.asks(document, request.operationName)) {
            ctx.request.introspection = true;
          }
        },
        async responseForOperation(requestContext) {
          const ctx = requestContext.contextValue;
          if (!ctx.request?.introspection) return null;
          return introspection.respond({
            document: requestContext.document,
            variables: requestContext.request.variables,
            operationName: requestContext.request.operationName,
            context: ctx,
          });
        },
        async willSendResponse(requestContext: GraphQLRequestContext<Context>) {
          const started = Date.now();
          try {
            await accessLog.beforeRelease(requestContext);
          } finally {
            metrics.auditCommitDuration.observe((Date.now() - started) / 1000);
          }
          observe(requestContext);
        },
      };
    },
  };

  function observe(requestContext: GraphQLRequestContext<Context>) {
    const ctx = requestContext.contextValue;
    const body = requestContext.response.body;
    const errors = body?.kind === 'single' ? (body.singleResult.errors ?? []) : [];
    const codes = errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
    for (const code of codes) metrics.refusals.inc({ code });
    if (codes.includes(ErrorCode.AUDIT_UNAVAILABLE)) metrics.auditCommitFailures.inc();
    const operation = rootFields(
      schema,
      requestContext.document,
      requestContext.request.operationName,
    );
    const client = ctx.viewer.kind === 'client' ? ctx.viewer.client.id : 'citizen';
    const outcome = codes.length === 0 ? 'OK' : (codes[0] as string);
    metrics.requests.inc({ operation, client, outcome });
    const facts = ctx.request?.facts;
    if (facts) {
      metrics.requestDuration.observe(
        { operation },
        (Date.now() - facts.receivedAt.getTime()) / 1000,
      );
    }
  }

  const common = {
    formatError,
    includeStacktraceInErrorResponses: false,
    // Suggestions could name fields a viewer may not see.
    hideSchemaDetailsFromClientErrors: true,
    introspection: true,
    allowBatchedHttpRequests: false,
    // The gateway drains itself on SIGTERM; Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    // Every request needs a bearer credential, which a cross-site form cannot send.
    csrfPrevention: { requestHeaders: ['authorization', 'apollo-require-preflight'] },
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    persistedQueries: { cache: trusted.cache },
    plugins: [stages],
  };
  const apolloOptions:
    ApolloServerOptionsWithSchema<Context> | ApolloServerOptionsWithGateway<Context> =
    options.gateway ? { ...common, gateway: options.gateway } : { ...common, schema };

  return {
    apolloOptions,
    /** The request's facts; throws BAD_USER_INPUT (400) on a malformed contract header. */
    facts: (headers: HeaderSource, address: string) => readRequestFacts(headers, address),
    contextFor,
    formatError,
    async close() {
      await refusals.close();
    },
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
