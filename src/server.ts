import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { openNationalSources, type NationalSources } from '../adapters';
import { sourceCalls } from '../adapters/source';
import { seedNationalDatabases } from '../mocks/generator';
import type { Config } from './config';
import { createContext, type Context } from './context';
import { createErrorFormatter, ErrorCode } from './errors';
import { EXPLORER_ASSET_PREFIX, explorerAsset, explorerPage } from './explorer';
import { createReferenceCaches } from './loaders';
import type { Logger } from './logger';
import { buildSchema } from './schema';
import { mocksFingerprint } from './paths';

/** A running gateway: its HTTP server, the URL it answers on, and how to stop it cleanly. */
export interface Gateway {
  url: string;
  server: http.Server;
  sources: NationalSources;
  close(): Promise<void>;
}

/** Largest request body accepted; a GraphQL document with variables fits easily. */
const MAX_BODY_BYTES = 1_000_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
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

/**
 * Starts the gateway: connects the national databases (the embedded one, seeded, when none is
 * configured), builds the schema, and serves GraphQL, the explorer and the health routes.
 */
export async function startGateway(config: Config, logger: Logger): Promise<Gateway> {
  const started = Date.now();
  const sources = await openNationalSources({
    ...config,
    embeddedData: {
      key: `demo-${mocksFingerprint()}-seed${config.dataSeed}-citizens${config.embeddedCitizens}`,
      fill: async (connections) => {
        logger.info({ citizens: config.embeddedCitizens, seed: config.dataSeed }, 'seeding the embedded database');
        await seedNationalDatabases((name) => connections.knexFor(name), {
          citizens: config.embeddedCitizens,
          seed: config.dataSeed,
        });
      },
    },
  });
  const caches = createReferenceCaches();
  const sample = await sources.connections
    .knexFor('population')
    .raw('SELECT min(id) AS id FROM population.citizens')
    .then((result: { rows: { id: string | null }[] }) => result.rows[0]?.id ?? null, () => null);
  const apollo = new ApolloServer<Context>({
    schema: buildSchema(),
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  async function graphql(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, url: URL) {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req);
      const type = headers.get('content-type') ?? '';
      if (type.includes('json')) {
        try {
          body = text === '' ? {} : JSON.parse(text);
        } catch {
          sendJson(res, 400, requestError('BAD_REQUEST', 'The request body is not valid JSON.'));
          return;
        }
      } else {
        body = text;
      }
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => createContext(sources.adapters, caches, requestId),
    });
    const outHeaders: Record<string, string> = { 'x-request-id': requestId };
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
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const url = new URL(req.url ?? '/', 'http://gateway');
    const path = url.pathname;

    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const states = await sources.readiness();
      const ready = Object.values(states).every((state) => state === 'up');
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'degraded', sources: states });
    }
    if (path === '/metrics') return sendJson(res, 200, { sourceCalls: sourceCalls.snapshot() });
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
        sendJson(res, 413, requestError('BAD_REQUEST', `The request body exceeds ${MAX_BODY_BYTES} bytes.`));
        return;
      }
      const errorId = randomUUID();
      logger.error({ errorId, err: error }, 'request failed');
      if (!res.headersSent) {
        sendJson(res, 500, requestError(ErrorCode.INTERNAL_SERVER_ERROR, `Internal server error; quote error id ${errorId}.`), {
          'x-error-id': errorId,
        });
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
  logger.info({ url: `${url}/graphql`, embedded: sources.connections.embedded, ms: Date.now() - started }, 'gateway ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    sources,
    close() {
      // Stop accepting, let requests in flight finish, then release the pools.
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Kept-alive connections go as soon as their response is written.
          const sweep = setInterval(() => server.closeIdleConnections(), 20);
          server.once('close', () => clearInterval(sweep));
          server.closeIdleConnections();
        });
        await apollo.stop();
        await sources.close();
        logger.info('gateway stopped');
      })();
      return closing;
    },
  };
}
