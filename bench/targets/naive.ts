import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { openNationalSources } from '../../adapters';
import { sourceCalls } from '../../adapters/source';
import { AccessStore } from '../../src/access';
import type { PurposePolicy } from '../../src/access/types';
import type { ClientViewer } from '../../src/access/viewer';
import { loadConfig } from '../../src/config';
import { createContext, type Context } from '../../src/context';
import { createLoaders, createReferenceCaches } from '../../src/loaders';
import { resolvers } from '../../src/resolvers';
import { loadTypeDefs } from '../../src/schema';
import { listen, readBody, runTarget, serveMetrics, targetEnv } from './common';

/**
 * naive: our schema, resolvers and adapters, but loaders that do not batch, so that every item
 * costs its own call: what the gateway would be without DataLoader. Same sources as the gateway
 * (DATABASE_URL, INSURANCE_SERVICE_URL). Like apollo-minimal it has no access control and no
 * log, so that what it shows against the gateway is batching and nothing else: the schema is
 * built without the access policy, and the context, made by the gateway's own createContext,
 * carries a viewer allowed every field under whatever purpose the request names (resolvers
 * that fetch two levels at once ask it whether they may).
 */

const EVERY_FIELD: PurposePolicy = {
  fields: ['*'],
  requiresConsent: false,
  actorVisible: true,
  restrictedDays: null,
};

function viewerFor(purpose: string): ClientViewer {
  return {
    kind: 'client',
    client: {
      id: 'naive',
      name: 'naive comparator',
      auditor: false,
      persistedOnly: false,
      rateLimitPerMinute: Number.MAX_SAFE_INTEGER,
      purposes: new Map([[purpose, EVERY_FIELD]]),
    },
    purpose,
    actor: null,
    caseId: null,
  };
}

async function start(): Promise<() => Promise<void>> {
  const env = targetEnv();
  const config = loadConfig(process.env);
  const sources = await openNationalSources(config);
  const caches = createReferenceCaches();
  // Never asked: consents matter only to purposes that require them, and this policy does not.
  const store = new AccessStore(sources.connections.knexFor('population'));
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
  const apollo = new ApolloServer<Context>({ schema });
  await apollo.start();

  const server = http.createServer((req, res) => {
    readBody(req)
      .then(async (text) => {
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (typeof value === 'string') headers.set(key, value);
        }
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: req.method ?? 'POST',
            headers,
            search: '',
            body: text === '' ? {} : JSON.parse(text),
          },
          context: async () => {
            const purpose = headers.get('x-purpose') ?? 'BENCHMARK';
            const context = createContext(
              sources.adapters,
              caches,
              store,
              viewerFor(purpose),
              randomUUID(),
            );
            const loaders = createLoaders(sources.adapters, caches, { batch: false });
            return { ...context, loaders: { ...loaders, consents: context.loaders.consents } };
          },
        });
        const out: Record<string, string> = {};
        for (const [key, value] of response.headers) out[key] = value;
        res.writeHead(response.status ?? 200, out);
        if (response.body.kind === 'complete') res.end(response.body.string);
        else {
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        }
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      });
  });
  await listen(server, env.port);
  const metrics = await serveMetrics(env.metricsPort, () => sourceCalls.snapshot());
  return async () => {
    metrics.close();
    await new Promise((resolve) => server.close(resolve));
    await apollo.stop();
    await sources.close();
  };
}

runTarget('naive', start);
