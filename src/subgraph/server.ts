import http from 'node:http';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { Kind, parse, type GraphQLSchema } from 'graphql';
import { knex, type Knex } from 'knex';
import { openNationalSources, type Adapters, type NationalSources } from '../../adapters';
import type { DatabaseName } from '../../adapters/databases';
import { sourceCalls } from '../../adapters/source';
import { applyAccessPolicy } from '../access/enforcement';
import type { AccessStore } from '../access/store';
import type { RegisteredClient } from '../access/types';
import { viewerId, type Viewer } from '../access/viewer';
import {
  AuditLog,
  AuditUnavailableError,
  loadSigningKey,
  loadVerificationKeys,
  migrateAudit,
} from '../audit';
import type { AuditOutcome } from '../audit/types';
import { usesEmbeddedDatabase, type Config } from '../config';
import { createContext, type Context } from '../context';
import { createErrorFormatter, ErrorCode } from '../errors';
import {
  createStatementVerifier,
  STATEMENT_HEADER,
  StatementError,
  type Statement,
} from '../federation/statement';
import { operationHash } from '../access/keys';
import { createReferenceCaches } from '../loaders';
import type { Logger } from '../logger';
import { protectedTypes } from '../schema';
import { releaseJoinKeys } from './keys';
import { subgraphLoaders } from './loaders';
import { startAuditWitnessing } from '../witness/embedded';
import { isPeerWitnessPath, startPeerWitness } from '../witness/peers';
import { buildSubgraphSchema, DATABASE_RESOLVERS } from './schema';
import type { SubgraphName } from './sdl';

/** A running subgraph: where it answers and how to stop it. */
export interface Subgraph {
  name: DatabaseName;
  url: string;
  audit: AuditLog;
  sources: NationalSources;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;
/** Error codes that mean the answer is incomplete because something failed. */
const FAILURES = new Set<string>([ErrorCode.SOURCE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER_ERROR]);

function sendJson(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
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

/** The viewer a statement speaks for, with only the policy of the purpose it names. */
function viewerOf(statement: Statement): Viewer | null {
  const { viewer, purpose, actor, caseId } = statement;
  if (!viewer) return null;
  if (viewer.kind === 'citizen') {
    return {
      kind: 'citizen',
      citizenId: viewer.citizenId,
      level: viewer.level,
      purpose,
      actor,
      caseId,
    };
  }
  const client: RegisteredClient = {
    id: viewer.id,
    name: viewer.name,
    auditor: viewer.auditor,
    persistedOnly: false,
    rateLimitPerMinute: 0,
    purposes: new Map(purpose && viewer.policy ? [[purpose, viewer.policy]] : []),
  };
  return { kind: 'client', client, purpose, actor, caseId };
}

/** Whether a request asks only for the subgraph's SDL: the one thing a statement without a viewer may. */
function asksForSdlOnly(body: string): boolean {
  try {
    const query = (JSON.parse(body) as { query?: unknown }).query;
    if (typeof query !== 'string') return false;
    const document = parse(query);
    return document.definitions.every(
      (definition) =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        definition.operation === 'query' &&
        definition.selectionSet.selections.every(
          (selection) =>
            selection.kind === Kind.FIELD &&
            (selection.name.value === '_service' || selection.name.value === '__typename'),
        ),
    );
  } catch {
    return false;
  }
}

/** How long a subgraph waits for the gateway's consent registry before refusing the field. */
const CONSENT_LOOKUP_MS = 2_000;

/**
 * The consents in force for the client and purpose a statement names, asked of the gateway's
 * consent registry (at the statement's `consentUrl`, with the statement as the credential): the
 * subgraph holds the rows that say whose record it is, so it checks consent again itself. If
 * the registry cannot be reached, no consent counts as given: the field is refused, not released.
 */
function consentsAtGateway(statement: Statement, token: string): AccessStore {
  return {
    async consentsInForce(_client: string, _purpose: string, citizenIds: string[]) {
      const granted = new Map<string, Set<string>>();
      if (!statement.consentUrl || citizenIds.length === 0) return granted;
      const response = await fetch(statement.consentUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [STATEMENT_HEADER]: token },
        body: JSON.stringify({ citizenIds }),
        signal: AbortSignal.timeout(CONSENT_LOOKUP_MS),
      }).catch(() => null);
      if (!response?.ok) return granted;
      const body = (await response.json()) as { consents?: Record<string, string[]> };
      for (const [id, fields] of Object.entries(body.consents ?? {}))
        granted.set(id, new Set(fields));
      return granted;
    },
  } as unknown as AccessStore;
}

/** The subgraph's schema: its module, the field policy applied again, join keys released. */
export function subgraphSchema(database: DatabaseName): GraphQLSchema {
  const raw = buildSubgraphSchema(database, DATABASE_RESOLVERS[database]);
  const types = protectedTypes();
  return releaseJoinKeys(applyAccessPolicy(raw, types), raw, types);
}

/** What one subgraph's HTTP handler serves and with what. */
export interface SubgraphHandlerOptions {
  name: SubgraphName;
  schema: GraphQLSchema;
  adapters: Adapters;
  /** The consent registry, where this process keeps it (the gateway's module); else asked of the gateway. */
  store?: AccessStore;
  /** The provider-side access log; null for the gateway's own module, which the consumer entry covers. */
  providerLog: AuditLog | null;
  gatewayKey: KeyObject;
  logger: Logger;
}

/**
 * The HTTP handler of a subgraph: every call must carry the gateway's signed statement (else
 * 401); the schema applies the field policy again for the viewer and purpose it names; and the
 * provider-side access log entry is committed before the answer leaves.
 */
export async function createSubgraphHandler(options: SubgraphHandlerOptions) {
  const { name, schema, adapters, providerLog: audit, logger } = options;
  const statements = createStatementVerifier(options.gatewayKey, name);
  const caches = createReferenceCaches();
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          return {
            async willSendResponse({ contextValue, response }) {
              if (response.body.kind !== 'single') return;
              for (const error of response.body.singleResult.errors ?? []) {
                if (FAILURES.has(String(error.extensions?.code ?? '')))
                  contextValue.access.failed = true;
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  async function graphql(req: http.IncomingMessage, res: http.ServerResponse) {
    const at = new Date();
    const body = await readBody(req);
    let statement: Statement;
    const header = req.headers[STATEMENT_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    try {
      statement = await statements.verify(token, body);
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      logger.warn({ reason: error.message }, 'subgraph call refused');
      return sendJson(res, 401, {
        errors: [
          {
            message: 'Only the gateway may call this subgraph, with a valid signed statement.',
            extensions: { code: ErrorCode.UNAUTHENTICATED },
          },
        ],
      });
    }
    const viewer = viewerOf(statement);
    if (!viewer && !asksForSdlOnly(body)) {
      return sendJson(res, 401, {
        errors: [
          {
            message: 'A statement without a viewer may read the subgraph SDL only.',
            extensions: { code: ErrorCode.UNAUTHENTICATED },
          },
        ],
      });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendJson(res, 400, {
        errors: [
          { message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } },
        ],
      });
    }
    const headers = new HeaderMap();
    headers.set('content-type', 'application/json');
    let context: Context | undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: parsed },
      context: async () => {
        const anonymous: Viewer = {
          kind: 'client',
          client: {
            id: 'gateway',
            name: 'gateway',
            auditor: false,
            persistedOnly: false,
            rateLimitPerMinute: 0,
            purposes: new Map(),
          },
          purpose: null,
          actor: null,
          caseId: null,
        };
        const built = createContext(
          adapters,
          caches,
          options.store ?? consentsAtGateway(statement, token as string),
          viewer ?? anonymous,
          statement.requestId,
        );
        built.loaders = subgraphLoaders(name, built.loaders);
        context = built;
        return built;
      },
    });

    const access = context?.access;
    let reference = '';
    const logged = access && (access.touched || access.fields.size > 0 || access.denied.size > 0);
    if (audit && viewer && access && logged) {
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
      const query = (parsed as { query?: unknown }).query;
      try {
        const entry = await audit.append({
          requestId: statement.requestId,
          at,
          clientId: viewerId(viewer),
          actor: statement.actor,
          purpose: statement.purpose,
          caseId: statement.caseId,
          operation: `subgraph:${name}`,
          documentHash: typeof query === 'string' ? operationHash(query) : null,
          subjects: [...access.subjects],
          fields: [...access.fields],
          denied: [...access.denied],
          outcome,
          durationMs: Date.now() - at.getTime(),
          restrictedUntil: null,
        });
        reference = `${name}:${entry.seq}:${entry.hash}`;
      } catch (error) {
        if (!(error instanceof AuditUnavailableError)) throw error;
        logger.error({ err: error, requestId: statement.requestId }, 'provider log unavailable');
        return sendJson(res, 503, {
          errors: [
            {
              message: `The ${name} access log cannot be written, so no personal data is released.`,
              extensions: { code: ErrorCode.AUDIT_UNAVAILABLE, source: name },
            },
          ],
        });
      }
    }
    const outHeaders: Record<string, string> = {};
    for (const [key, value] of response.headers) outHeaders[key] = value;
    if (reference) outHeaders['x-access-entry'] = reference;
    if (response.body.kind === 'complete' && access && logged) {
      // What this subgraph released, refused and logged, for the gateway's consumer entry: only
      // the source sees whose record an insurance number or a parcel is.
      const payload = JSON.parse(response.body.string) as { extensions?: Record<string, unknown> };
      payload.extensions = {
        ...payload.extensions,
        access: {
          entry: reference || null,
          subjects: [...access.subjects],
          denied: [...access.denied],
        },
      };
      const text = JSON.stringify(payload);
      outHeaders['content-length'] = String(Buffer.byteLength(text));
      res.writeHead(response.status ?? 200, outHeaders);
      return res.end(text);
    }
    res.writeHead(response.status ?? 200, outHeaders);
    if (response.body.kind === 'complete') return res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /**
   * The provider-side log of one request, and whether the whole chain verifies: for the
   * gateway's auditors, with a statement like any call (`{ "requestId": "..." }`).
   */
  async function accessLog(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await readBody(req);
    try {
      const header = req.headers[STATEMENT_HEADER];
      await statements.verify(Array.isArray(header) ? header[0] : header, body);
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      return sendJson(res, 401, { error: 'a valid signed statement is required' });
    }
    if (!audit) return sendJson(res, 404, { error: 'this subgraph keeps no provider log' });
    const requestId = (JSON.parse(body) as { requestId?: unknown }).requestId;
    const entries =
      typeof requestId === 'string'
        ? (await audit.query({}, { first: 100 })).entries.filter(
            (entry) => entry.requestId === requestId,
          )
        : [];
    return sendJson(res, 200, { entries, verify: await audit.verify() });
  }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://subgraph');
    const post = req.method === 'POST';
    const handled =
      url.pathname === '/healthz'
        ? Promise.resolve(sendJson(res, 200, { status: 'ok', subgraph: name }))
        : url.pathname === '/metrics'
          ? Promise.resolve(sendJson(res, 200, { sourceCalls: sourceCalls.snapshot() }))
          : url.pathname === '/graphql' && post
            ? graphql(req, res)
            : url.pathname === '/access-log' && post
              ? accessLog(req, res)
              : Promise.resolve(sendJson(res, 404, { error: 'not found' }));
    handled.catch((error: unknown) => {
      logger.error({ err: error }, 'subgraph request failed');
      if (!res.headersSent) {
        sendJson(res, error instanceof RangeError ? 413 : 500, {
          errors: [
            {
              message:
                error instanceof RangeError ? 'Request body too large.' : 'Internal server error.',
              extensions: {
                code: error instanceof RangeError ? 'BAD_REQUEST' : ErrorCode.INTERNAL_SERVER_ERROR,
              },
            },
          ],
        });
      } else res.destroy();
    });
  };
  return { handle, stop: () => apollo.stop() };
}

/** Listens on loopback (or HOST) for a subgraph handler; the URL is its GraphQL endpoint. */
export async function listenSubgraph(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  host: string,
  port: number,
): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}/graphql` };
}

/**
 * Serves one national database as a subgraph over HTTP (see createSubgraphHandler), with its
 * own sources and its own provider-side access log in its own database.
 */
export async function startSubgraph(
  database: DatabaseName,
  config: Config,
  logger: Logger,
  gatewayKey: KeyObject,
): Promise<Subgraph> {
  const wiring = usesEmbeddedDatabase(config)
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
      (require('../embedded') as typeof import('../embedded')).embeddedWiring(config, logger)
    : undefined;
  const sources = await openNationalSources({
    ...config,
    embeddedData: wiring?.data,
    startInsuranceService: wiring?.startInsuranceService,
  });
  const embedded = sources.connections.embedded;
  // The provider-side log lives with the data: this subgraph's own database.
  let ownAuditDb: Knex | undefined;
  if (!embedded && config.auditDatabaseUrl) {
    ownAuditDb = knex({
      client: 'pg',
      connection: config.auditDatabaseUrl,
      pool: { min: 0, max: config.poolSize },
    });
  }
  const auditDb = ownAuditDb ?? sources.connections.knexFor(database);
  await migrateAudit(auditDb);
  const signingKey = loadSigningKey(config.auditKeys, {
    generatedKeyFile: config.embeddedDataDir
      ? path.join(config.embeddedDataDir, `audit-signing-key-${database}.pem`)
      : undefined,
  });
  // The provider log's witnesses (federated: the gateway's witness of its subgraphs' logs).
  const witnesses = await startAuditWitnessing(config, logger, {
    knex: auditDb,
    signingKey,
    embedded: false,
  });
  const audit = new AuditLog(auditDb, {
    signingKey,
    verificationKeys: loadVerificationKeys(config.auditKeys),
    onError: (error) => logger.error({ err: error }, 'access log background work failed'),
    checkpointEvery: config.auditCheckpointEntries,
    checkpointIntervalMs: config.auditCheckpointSeconds * 1000,
    witnessing: witnesses.witnessing,
  });
  // ...and this subgraph's witness of the gateway's log, in its own database.
  const peerWitness = await startPeerWitness(config.peerWitness, auditDb, logger);
  const handler = await createSubgraphHandler({
    name: database,
    schema: subgraphSchema(database),
    adapters: sources.adapters,
    providerLog: audit,
    gatewayKey,
    logger,
  });
  const { server, url } = await listenSubgraph(
    (req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://subgraph').pathname;
      if (peerWitness && isPeerWitnessPath(pathname)) return peerWitness.handle(req, res);
      return handler.handle(req, res);
    },
    config.host,
    config.port,
  );
  let closing: Promise<void> | undefined;
  return {
    name: database,
    url,
    audit,
    sources,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await handler.stop();
        await audit.close();
        await witnesses.close();
        await ownAuditDb?.destroy();
        await sources.close();
      })();
      return closing;
    },
  };
}
