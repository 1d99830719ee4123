import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knex, type Knex } from 'knex';
import { NATIONAL_DATABASES, type DatabaseName } from './databases';

/** The knex handles of the national databases; several names may share one handle. */
export interface Connections {
  readonly embedded: boolean;
  knexFor(database: DatabaseName): Knex;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  databaseUrls: Record<DatabaseName, string | undefined>;
  embeddedDataDir?: string;
  poolSize: number;
  sourceTimeoutMs: number;
  /** Fills a new embedded database; `key` names what it fills, so a snapshot of it can be reused. */
  embeddedData?: { key: string; fill: (connections: Connections) => Promise<void> };
}

/**
 * Opens one pool per distinct connection string, or the embedded PostgreSQL (PGlite) when none
 * is configured, so that a fresh clone serves real answers with no database installed.
 */
export async function openConnections(options: ConnectionOptions): Promise<Connections> {
  const configured = NATIONAL_DATABASES.filter((name) => options.databaseUrls[name] !== undefined);
  if (configured.length === 0) return openEmbedded(options.embeddedDataDir, options.embeddedData);
  if (configured.length !== NATIONAL_DATABASES.length) {
    const missing = NATIONAL_DATABASES.filter((name) => !configured.includes(name));
    throw new Error(
      `Set DATABASE_URL, or a connection string for every national database (missing: ${missing
        .map((name) => `${name.toUpperCase()}_DATABASE_URL`)
        .join(', ')})`,
    );
  }
  const byUrl = new Map<string, Knex>();
  for (const name of NATIONAL_DATABASES) {
    const url = options.databaseUrls[name] as string;
    if (!byUrl.has(url)) {
      byUrl.set(
        url,
        knex({
          client: 'pg',
          connection: { connectionString: url, statement_timeout: options.sourceTimeoutMs * 2 },
          pool: { min: 0, max: options.poolSize },
        }),
      );
    }
  }
  return {
    embedded: false,
    knexFor: (name) => byUrl.get(options.databaseUrls[name] as string) as Knex,
    close: async () => {
      await Promise.all([...byUrl.values()].map((handle) => handle.destroy()));
    },
  };
}

/** Where filled embedded databases are kept as compressed snapshots, one per data set. */
const SNAPSHOT_DIR = path.join(os.tmpdir(), 'national-data-gateway');

async function openEmbedded(
  dataDir: string | undefined,
  data: ConnectionOptions['embeddedData'],
): Promise<Connections> {
  // PGlite is ESM-first; it is loaded lazily so that real deployments never pay for it.
  const { PGlite } = await import('@electric-sql/pglite');
  const ClientPgLite = (await import('knex-pglite')).default;
  // Restoring a snapshot takes a fraction of a second; creating and filling one takes seconds.
  const snapshot =
    data && !dataDir
      ? path.join(SNAPSHOT_DIR, `${data.key.replace(/[^\w.-]/g, '_')}.tar.gz`)
      : null;
  const restored = snapshot !== null && fs.existsSync(snapshot);
  const pglite = restored
    ? new PGlite({ loadDataDir: new Blob([fs.readFileSync(snapshot)]) })
    : dataDir
      ? new PGlite(dataDir)
      : new PGlite();
  await pglite.waitReady;
  const handle = knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
  const connections: Connections = {
    embedded: true,
    knexFor: () => handle,
    close: () => handle.destroy(),
  };
  if (data && !restored) {
    await data.fill(connections);
    if (snapshot) {
      const dump = await pglite.dumpDataDir('gzip');
      fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
      // Written aside and renamed, so a concurrent start never reads half a snapshot.
      const partial = `${snapshot}.${process.pid}.partial`;
      fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      fs.renameSync(partial, snapshot);
    }
  }
  return connections;
}
