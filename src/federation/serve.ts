/**
 * The federated gateway process: composes the subgraphs named by <NAME>_SUBGRAPH_URL and serves
 * the graph on PORT/HOST, signing statements with FEDERATION_SIGNING_KEY.
 */
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { subgraphUrlsFrom } from './config';
import { startFederatedGateway } from './gateway';
import { statementKeysFrom } from './keys';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel).child({ process: 'gateway' });
  const gateway = await startFederatedGateway(config, logger, {
    subgraphUrls: subgraphUrlsFrom(process.env),
    keys: statementKeysFrom(process.env),
  });
  console.log(JSON.stringify({ gateway: `${gateway.url}/graphql` }));
  const stop = () => {
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({
      level: 'fatal',
      msg: 'federated gateway failed to start',
      err: String(error),
    }),
  );
  process.exit(1);
});
