import { NATIONAL_DATABASES, type DatabaseName } from '../adapters/databases';

/** Everything the gateway reads from its environment, parsed once at start. */
export interface Config {
  port: number;
  host: string;
  logLevel: string;
  /** Connection string per national database; all undefined means the embedded database. */
  databaseUrls: Record<DatabaseName, string | undefined>;
  /** Where the embedded database keeps its files; in memory when unset. */
  embeddedDataDir: string | undefined;
  /** Citizens generated into the embedded database on first start. */
  embeddedCitizens: number;
  /** Seed of the synthetic data generator. */
  dataSeed: number;
  /** Base URL of the social insurance agency's service; started in process when unset. */
  insuranceServiceUrl: string | undefined;
  /** How long a national database may take to answer one batch. */
  sourceTimeoutMs: number;
  /** Connections per national database pool. */
  poolSize: number;
  /** The gateway's own database (registered clients, consents); else DATABASE_URL, else embedded. */
  gatewayDatabaseUrl: string | undefined;
  /** The access log's database; else the gateway's own. */
  auditDatabaseUrl: string | undefined;
  /** False only for benchmarks that measure what the log costs: personal data is then unaudited. */
  auditLog: boolean;
  /** Redis for rate limits shared by every replica; in process when unset. */
  redisUrl: string | undefined;
  /** Requests a minute an address may make without a valid credential. */
  unauthenticatedRatePerMinute: number;
  /** Requests a minute one citizen identity may make. */
  citizenRatePerMinute: number;
  /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** Registers the public demo clients on a real database too (test environments only). */
  demoClients: boolean;
  /** The identity provider's (VNeID) public key, PEM; the mock issuer's on the embedded default. */
  citizenTokenPublicKey: string | undefined;
  /** The identity provider's `iss`; the mock issuer's on the embedded default. */
  citizenTokenIssuer: string | undefined;
  /** AUDIT_SIGNING_KEY / AUDIT_SIGNING_KEY_FILE and AUDIT_PUBLIC_KEY(_FILE): the log's checkpoint keys. */
  auditKeys: Pick<
    NodeJS.ProcessEnv,
    'AUDIT_SIGNING_KEY' | 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_PUBLIC_KEY' | 'AUDIT_PUBLIC_KEY_FILE'
  >;
  /** AUDIT_WITNESS_URL: witnesses of the log's checkpoints; none means one in process (embedded) or none. */
  auditWitnessUrls: string[];
  /** AUDIT_WITNESS_KEYS: each witness's verifier key, in the order of the URLs. */
  auditWitnessKeys: string[];
  /** AUDIT_LOG_ORIGIN: the log's name in its checkpoints, unique among the logs a witness serves. */
  auditLogOrigin: string | undefined;
  /** AUDIT_CHECKPOINT_SECONDS: a checkpoint at least this often while entries arrive. */
  auditCheckpointSeconds: number;
  /** AUDIT_CHECKPOINT_ENTRIES: ...and at least every this many entries. */
  auditCheckpointEntries: number;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/**
 * Per-database URLs (POPULATION_DATABASE_URL, ...) win over DATABASE_URL, which serves every
 * national database from one PostgreSQL database with a schema each.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrls = {} as Record<DatabaseName, string | undefined>;
  for (const name of NATIONAL_DATABASES) {
    databaseUrls[name] = env[`${name.toUpperCase()}_DATABASE_URL`] || env.DATABASE_URL || undefined;
  }
  return {
    port: intFrom(env, 'PORT', 4000),
    host: env.HOST || '127.0.0.1',
    logLevel: env.LOG_LEVEL || 'info',
    databaseUrls,
    embeddedDataDir: env.EMBEDDED_DATA_DIR || undefined,
    embeddedCitizens: intFrom(env, 'EMBEDDED_CITIZENS', 3000),
    dataSeed: intFrom(env, 'DATA_SEED', 2025),
    insuranceServiceUrl: env.INSURANCE_SERVICE_URL || undefined,
    sourceTimeoutMs: intFrom(env, 'SOURCE_TIMEOUT_MS', 2000),
    poolSize: intFrom(env, 'DATABASE_POOL_SIZE', 10),
    gatewayDatabaseUrl: env.GATEWAY_DATABASE_URL || env.DATABASE_URL || undefined,
    auditDatabaseUrl:
      env.AUDIT_DATABASE_URL || env.GATEWAY_DATABASE_URL || env.DATABASE_URL || undefined,
    auditLog: env.AUDIT_LOG !== 'off',
    redisUrl: env.REDIS_URL || undefined,
    unauthenticatedRatePerMinute: intFrom(env, 'UNAUTHENTICATED_RATE_PER_MINUTE', 60),
    citizenRatePerMinute: intFrom(env, 'CITIZEN_RATE_PER_MINUTE', 120),
    metricsToken: env.METRICS_TOKEN || undefined,
    demoClients: env.DEMO_CLIENTS === 'on',
    citizenTokenPublicKey: env.VNEID_PUBLIC_KEY || undefined,
    citizenTokenIssuer: env.VNEID_ISSUER || undefined,
    auditKeys: {
      AUDIT_SIGNING_KEY: env.AUDIT_SIGNING_KEY,
      AUDIT_SIGNING_KEY_FILE: env.AUDIT_SIGNING_KEY_FILE,
      AUDIT_PUBLIC_KEY: env.AUDIT_PUBLIC_KEY,
      AUDIT_PUBLIC_KEY_FILE: env.AUDIT_PUBLIC_KEY_FILE,
    },
    auditWitnessUrls: (env.AUDIT_WITNESS_URL ?? '').split(/[\s,]+/).filter(Boolean),
    auditWitnessKeys: (env.AUDIT_WITNESS_KEYS ?? '').split(/[\s,]+/).filter(Boolean),
    auditLogOrigin: env.AUDIT_LOG_ORIGIN || undefined,
    auditCheckpointSeconds: Math.max(1, intFrom(env, 'AUDIT_CHECKPOINT_SECONDS', 5)),
    auditCheckpointEntries: Math.max(1, intFrom(env, 'AUDIT_CHECKPOINT_ENTRIES', 1000)),
  };
}

/** True when no national database is configured and the embedded one serves them all. */
export function usesEmbeddedDatabase(config: Config): boolean {
  return NATIONAL_DATABASES.every((name) => config.databaseUrls[name] === undefined);
}
