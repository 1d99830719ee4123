/**
 * `npm run start:federated`: every national database's subgraph and the gateway, each a process
 * of its own on loopback. The gateway takes PORT/HOST; the subgraphs take free ports. A process
 * that ends is reported and not restarted; SIGINT or SIGTERM stops them all.
 */
import { NATIONAL_DATABASES } from '../../adapters/databases';
import { peerWitnessEnvironments } from '../witness/peers';
import { subgraphUrlVariable } from './config';
import { generateStatementKeys } from './keys';
import { freePort, spawnService, type ServiceProcess } from './processes';

const running: ServiceProcess[] = [];
let stopping = false;

function say(message: string): void {
  console.log(`[start:federated] ${message}`);
}

async function stopAll(code: number): Promise<never> {
  stopping = true;
  await Promise.all([...running].reverse().map((service) => service.stop()));
  process.exit(code);
}

function watch(service: ServiceProcess): void {
  running.push(service);
  void service.exited.then((code) => {
    if (stopping) return;
    say(`${service.name} exited (${code}); it is not restarted`);
    if (service.name === 'gateway') void stopAll(1);
  });
}

async function main(): Promise<void> {
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  const keys = generateStatementKeys();
  const { PORT: _port, ...inherited } = process.env;
  const subgraphEnv = {
    ...inherited,
    HOST: '127.0.0.1',
    FEDERATION_PUBLIC_KEY: keys.publicKeyPem,
  };
  const onOutput = (name: string, line: string) => console.log(`[${name}] ${line}`);
  // Every process's address is fixed up front: the logs witness each other (src/witness/peers.ts),
  // so each must know where its peers' witnesses answer before any of them starts.
  const host = process.env.HOST || '127.0.0.1';
  const gatewayPort = Number(process.env.PORT ?? 4000) || (await freePort());
  const ports = Object.fromEntries(
    await Promise.all(NATIONAL_DATABASES.map(async (name) => [name, await freePort()] as const)),
  );
  const witnessing = peerWitnessEnvironments(
    {
      gateway: `http://${host.includes(':') ? `[${host}]` : host}:${gatewayPort}`,
      ...Object.fromEntries(
        NATIONAL_DATABASES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
      ),
    },
    { logSigningKey: process.env.AUDIT_SIGNING_KEY },
  );
  const spawnSubgraph = (name: (typeof NATIONAL_DATABASES)[number]) =>
    spawnService(name, 'src/subgraph/main.ts', [name, '--port', String(ports[name])], {
      env: {
        ...subgraphEnv,
        ...witnessing[name],
        // Each provider log in a database of its own (<NAME>_AUDIT_DATABASE_URL), as a ministry's
        // would be: subgraphs that shared one log database would queue on one chain's lock.
        ...(process.env[`${name.toUpperCase()}_AUDIT_DATABASE_URL`]
          ? { AUDIT_DATABASE_URL: process.env[`${name.toUpperCase()}_AUDIT_DATABASE_URL`] }
          : {}),
      },
      onOutput,
    });
  // The first one fills the embedded database (or checks the real one); the rest reuse its snapshot.
  const [first, ...rest] = NATIONAL_DATABASES;
  const subgraphs = [await spawnSubgraph(first)];
  watch(subgraphs[0]);
  const others = await Promise.all(rest.map(spawnSubgraph));
  for (const service of others) watch(service);
  subgraphs.push(...others);
  for (const service of subgraphs) say(`subgraph ${service.name} listening on ${service.url}`);

  const gatewayEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...witnessing.gateway,
    PORT: String(gatewayPort),
    FEDERATION_SIGNING_KEY: keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  for (const service of subgraphs) {
    gatewayEnv[subgraphUrlVariable(service.name as (typeof NATIONAL_DATABASES)[number])] =
      service.url;
  }
  const gateway = await spawnService('gateway', 'src/federation/serve.ts', [], {
    env: gatewayEnv,
    onOutput,
  });
  watch(gateway);
  say(`gateway listening on ${gateway.url}`);
}

main().catch(async (error: unknown) => {
  say(`failed to start: ${String(error)}`);
  await stopAll(1);
});
