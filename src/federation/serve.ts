/**
 * The federated gateway process: composes the subgraphs named by <NAME>_SUBGRAPH_URL and serves
 * the graph on PORT/HOST through the same front and request pipeline as the single process,
 * signing statements with FEDERATION_SIGNING_KEY.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startGateway } from '../server';
import { serveUntilSignalled } from '../shutdown';
import { subgraphUrlsFrom } from './config';
import { statementKeysFrom } from './keys';

const config = loadConfig();
const logger = createLogger(config.logLevel).child({ process: 'gateway' });
serveUntilSignalled(
  async () => {
    const gateway = await startGateway(config, logger, {
      federation: {
        subgraphUrls: subgraphUrlsFrom(process.env),
        keys: statementKeysFrom(process.env),
      },
    });
    console.log(JSON.stringify({ gateway: `${gateway.url}/graphql` }));
    return gateway;
  },
  { drainMs: config.drainTimeoutMs, logger, what: 'federated gateway' },
);
