import { randomUUID } from 'node:crypto';
import {
  ApolloGateway,
  IntrospectAndCompose,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { PurposePolicy } from '../../src/access/types';
import { generateStatementKeys } from '../../src/federation/keys';
import { signStatement, STATEMENT_HEADER } from '../../src/federation/statement';
import { startSubgraphs } from '../federation';
import { StatementCounter, runTarget, serveMetrics, targetEnv } from './common';

/**
 * apollo-gateway: Apollo's federation gateway (`@apollo/gateway`, Elastic-licensed, a
 * devDependency used by the benchmark alone) composing the same subgraph processes the
 * federated gateway composes, started the same way (bench/federation.ts). The
 * subgraphs refuse any call without the gateway's signed statement, so every subgraph call
 * carries one, signed with this process's own key as the federated gateway signs its own: a
 * client allowed every field under the purpose the workloads name. No authentication, no
 * consumer log at the gateway; the subgraphs apply their policy and commit their provider log
 * as they do for the federated gateway. Subgraph calls are counted per subgraph.
 */

const PURPOSE = 'BENCHMARK';
const EVERY_FIELD: PurposePolicy = {
  fields: ['*'],
  requiresConsent: false,
  actorVisible: true,
  restrictedDays: null,
};

async function start(): Promise<() => Promise<void>> {
  const env = targetEnv();
  const keys = generateStatementKeys();
  const counter = new StatementCounter();
  const subgraphs = await startSubgraphs(process.env, keys);
  const stopSubgraphs = () => Promise.all(subgraphs.map((service) => service.stop()));

  class SignedDataSource extends RemoteGraphQLDataSource {
    constructor(private readonly subgraph: string) {
      const url = subgraphs.find((service) => service.name === subgraph)?.url;
      super({ url });
    }

    override async willSendRequest({ request }: GraphQLDataSourceProcessOptions) {
      // The statement signs the very body the data source then sends: the query first, then
      // the rest of the request without its `http` part (RemoteGraphQLDataSource.process).
      const { http, query, ...rest } = request;
      const body = JSON.stringify({ query, ...rest });
      const token = await signStatement(keys.privateKey, this.subgraph, body, {
        viewer: {
          kind: 'client',
          id: 'bench',
          name: 'apollo-gateway',
          auditor: false,
          policy: EVERY_FIELD,
        },
        purpose: PURPOSE,
        actor: null,
        caseId: null,
        requestId: randomUUID(),
      });
      http?.headers.set(STATEMENT_HEADER, token);
      counter.record(this.subgraph);
    }
  }

  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({
      subgraphs: subgraphs.map((service) => ({ name: service.name, url: service.url })),
    }),
    buildService: ({ name }) => new SignedDataSource(name),
  });
  const server = new ApolloServer({ gateway });
  await startStandaloneServer(server, { listen: { port: env.port, host: '127.0.0.1' } });
  // The SDL reads of composition are not calls of any request.
  const atStart = counter.snapshot();
  const metrics = await serveMetrics(env.metricsPort, () => {
    const now = counter.snapshot();
    return Object.fromEntries(
      Object.entries(now).map(([name, count]) => [name, count - (atStart[name] ?? 0)]),
    );
  });
  return async () => {
    metrics.close();
    await server.stop();
    await stopSubgraphs();
  };
}

runTarget('apollo-gateway', start);
