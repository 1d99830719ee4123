import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { knex, type Knex } from 'knex';
import pino from 'pino';
import { NATIONAL_DATABASES, type DatabaseName } from './databases';
import { sourceSettings, type SourceSettings } from './protection';

/** The knex handles of the national databases: a pool each, even on one PostgreSQL database. */
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
  /** Per-source settings that differ from the defaults above. */
  sources?: Partial<Record<DatabaseName, Partial<SourceSettings>>>;
  /** Where the driver's and pool's messages go; a JSON logger at `logLevel` when unset. */
  logger?: pino.Logger;
  logLevel?: string;
  /** Fills a new embedded database; `key` names what it fills, so a snapshot of it can be reused. */
  embeddedData?: { key: string; fill: (connections: Connections) => Promise<void> };
}

/** knex's messages ("Connection Error: ...") as JSON lines of the process's log. */
export function knexLog(logger: pino.Logger, database?: string): Knex.Config['log'] {
  const log = logger.child({ component: 'knex', ...(database ? { database } : {}) });
  return {
    warn: (message: unknown) => log.warn({ detail: String(message) }, 'database driver warning'),
    error: (message: unknown) => log.error({ detail: String(message) }, 'database driver error'),
    deprecate: (method: unknown, alternative: unknown) =>
      log.warn({ method, alternative }, 'database driver deprecation'),
    debug: (message: unknown) => log.debug({ detail: message }, 'database driver debug'),
  };
}

/**
 * Opens one pool per national database, sized to its own settings even when several share a
 * connection string, so that one slow database cannot take the connections of the others; or
 * the embedded PostgreSQL (PGlite) when none is configured, so that a fresh clone serves real
 * answers with no database installed.
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
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info' });
  const handles = new Map<DatabaseName, Knex>();
  for (const name of NATIONAL_DATABASES) {
    const settings = sourceSettings(name, options, options.sources?.[name]);
    handles.set(
      name,
      knex({
        client: 'pg',
        connection: {
          connectionString: options.databaseUrls[name] as string,
          // Names the pool in pg_stat_activity, so an operator sees which source holds what.
          application_name: `national-data-gateway:${name}`,
          // The server's own backstop: the gateway cancels sooner, at the request's deadline.
          statement_timeout: settings.timeoutMs + 500,
          connectionTimeoutMillis: settings.timeoutMs,
        },
        pool: { min: 0, max: settings.poolSize, propagateCreateError: true },
        acquireConnectionTimeout: settings.timeoutMs * 2,
        log: knexLog(logger, name),
      }),
    );
  }
  return {
    embedded: false,
    knexFor: (name) => handles.get(name) as Knex,
    close: async () => {
      await Promise.all([...handles.values()].map((handle) => handle.destroy()));
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
