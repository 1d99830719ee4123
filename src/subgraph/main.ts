/**
 * `npm run subgraph -- <database> [--port N]`: serves one national database as a Federation 2
 * subgraph on loopback (HOST), trusting calls signed with FEDERATION_PUBLIC_KEY only.
 */
import { NATIONAL_DATABASES, type DatabaseName } from '../../adapters/databases';
import { loadConfig } from '../config';
import { gatewayPublicKeyFrom } from '../federation/keys';
import { createLogger } from '../logger';
import { startSubgraph } from './server';

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run subgraph -- <${NATIONAL_DATABASES.join('|')}> [--port N]`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const database = args[0] as DatabaseName | undefined;
  if (!database || !NATIONAL_DATABASES.includes(database)) usage('name a national database');
  const portIndex = args.indexOf('--port');
  const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port takes a port number');
  const config = { ...loadConfig(), port };
  const logger = createLogger(config.logLevel).child({ subgraph: database });
  const subgraph = await startSubgraph(database, config, logger, gatewayPublicKeyFrom(process.env));
  // One line on stdout that a launcher can read: where this subgraph answers.
  console.log(JSON.stringify({ subgraph: database, url: subgraph.url }));
  const stop = () => {
    subgraph.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({ level: 'fatal', msg: 'subgraph failed to start', err: String(error) }),
  );
  process.exit(1);
});
