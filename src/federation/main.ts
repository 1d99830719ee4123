/**
 * `npm run start:federated`: every national database's subgraph and the gateway, each a process
 * of its own on loopback. The gateway takes PORT/HOST; the subgraphs take free ports. A process
 * that ends is reported and not restarted; SIGINT or SIGTERM stops them all.
 */
import { NATIONAL_DATABASES } from '../../adapters/databases';
import { subgraphUrlVariable } from './config';
import { generateStatementKeys } from './keys';
import { spawnService, type ServiceProcess } from './processes';

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
  // The first one fills the embedded database (or checks the real one); the rest reuse its snapshot.
  const [first, ...rest] = NATIONAL_DATABASES;
  const subgraphs = [
    await spawnService(first, 'src/subgraph/main.ts', [first], { env: subgraphEnv, onOutput }),
  ];
  watch(subgraphs[0]);
  const others = await Promise.all(
    rest.map((name) =>
      spawnService(name, 'src/subgraph/main.ts', [name], { env: subgraphEnv, onOutput }),
    ),
  );
  for (const service of others) watch(service);
  subgraphs.push(...others);
  for (const service of subgraphs) say(`subgraph ${service.name} listening on ${service.url}`);

  const gatewayEnv: NodeJS.ProcessEnv = {
    ...process.env,
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
