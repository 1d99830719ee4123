import { Client } from 'pg';
import { NATIONAL_DATABASES } from '../adapters/databases';
import { subgraphUrlVariable } from '../src/federation/config';
import type { StatementKeys } from '../src/federation/keys';
import { spawnService, type ServiceProcess } from '../src/federation/processes';

/**
 * The subgraph processes of the federated targets, started as `npm run start:federated`
 * starts them (src/federation/main.ts: the first alone, then the rest together, trusting the
 * gateway's public key), except that on PostgreSQL each subgraph keeps its provider-side log
 * in a database of its own, `<database>_<subgraph>`, as the README's topology has it and as
 * test/support/federated.ts runs it. With one DATABASE_URL for all, start:federated puts every
 * provider log on one chain, whose lock then serialises the subgraphs' commits.
 */

/** Creates `<database>_<name>` beside the bench database when missing; returns its URL. */
async function ownDatabase(databaseUrl: string, name: string): Promise<string> {
  const target = new URL(databaseUrl);
  const database = `${target.pathname.slice(1)}_${name}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  target.pathname = `/${database}`;
  return target.toString();
}

export async function startSubgraphs(
  env: NodeJS.ProcessEnv,
  keys: StatementKeys,
): Promise<ServiceProcess[]> {
  const { PORT: _port, METRICS_PORT: _metrics, ...inherited } = env;
  const base = { ...inherited, HOST: '127.0.0.1', FEDERATION_PUBLIC_KEY: keys.publicKeyPem };
  const logs = new Map<string, string>();
  if (env.DATABASE_URL) {
    for (const name of NATIONAL_DATABASES) {
      logs.set(name, await ownDatabase(env.DATABASE_URL, name));
    }
  }
  const spawn = (name: string) =>
    spawnService(name, 'src/subgraph/main.ts', [name], {
      env: { ...base, ...(logs.has(name) ? { AUDIT_DATABASE_URL: logs.get(name) } : {}) },
    });
  const subgraphs: ServiceProcess[] = [];
  try {
    const [first, ...rest] = NATIONAL_DATABASES;
    subgraphs.push(await spawn(first));
    subgraphs.push(...(await Promise.all(rest.map(spawn))));
  } catch (error) {
    await Promise.all(subgraphs.map((service) => service.stop()));
    throw error;
  }
  return subgraphs;
}

/** The environment that names every subgraph to the federated gateway (src/federation/serve.ts). */
export function subgraphUrls(subgraphs: readonly ServiceProcess[]): Record<string, string> {
  return Object.fromEntries(
    subgraphs.map((service) => [
      subgraphUrlVariable(service.name as (typeof NATIONAL_DATABASES)[number]),
      service.url,
    ]),
  );
}
