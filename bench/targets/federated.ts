import { generateStatementKeys } from '../../src/federation/keys';
import { spawnService, type ServiceProcess } from '../../src/federation/processes';
import { startSubgraphs, subgraphUrls } from '../federation';
import { runTarget } from './common';

/**
 * federated: the federated gateway (src/federation/serve.ts) over every subgraph, each a
 * process of its own, started as `npm run start:federated` starts them (bench/federation.ts
 * says where it differs: each subgraph's provider log in its own database). The gateway
 * answers on PORT and counts its subgraph calls on its own GET /metrics.
 */
async function start(): Promise<() => Promise<void>> {
  const keys = generateStatementKeys();
  const subgraphs = await startSubgraphs(process.env, keys);
  let gateway: ServiceProcess;
  try {
    gateway = await spawnService('gateway', 'src/federation/serve.ts', [], {
      env: {
        ...process.env,
        FEDERATION_SIGNING_KEY: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        ...subgraphUrls(subgraphs),
      },
    });
  } catch (error) {
    await Promise.all(subgraphs.map((service) => service.stop()));
    throw error;
  }
  console.log(`federated gateway on ${gateway.url}`);
  return async () => {
    await gateway.stop();
    await Promise.all(subgraphs.map((service) => service.stop()));
  };
}

runTarget('federated', start);
