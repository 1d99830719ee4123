import { NATIONAL_DATABASES, type DatabaseName } from '../adapters/databases';
import type { SourceSettings } from '../adapters/protection';

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
  /** How long a national database may take to answer one call, once it holds a connection. */
  sourceTimeoutMs: number;
  /** Connections per national database pool. */
  poolSize: number;
  /** The budget every read of one request shares (REQUEST_DEADLINE_MS); `sourceTimeoutMs` when unset. */
  requestDeadlineMs: number | undefined;
  /** Per-source overrides: <NAME>_TIMEOUT_MS, _POOL_SIZE, _BREAKER_FAILURES, _BREAKER_COOLDOWN_MS, _RETRIES. */
  sources: Partial<Record<DatabaseName, Partial<SourceSettings>>>;
  /** How long /readyz waits for any one check. */
  readinessTimeoutMs: number;
  /** How long a SIGTERM lets requests in flight finish before the connections are closed. */
  drainTimeoutMs: number;
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
  /**
   * The witness this process keeps of its peers' logs (federated: src/witness/peers.ts):
   * WITNESS_LOG_KEYS (the logs it accepts; none, no witness), WITNESS_SIGNING_KEY, WITNESS_NAME.
   */
  peerWitness: { WITNESS_LOG_KEYS?: string; WITNESS_SIGNING_KEY?: string; WITNESS_NAME?: string };
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

/** Gateway-wide source settings (SOURCE_*), then each source's own (POPULATION_TIMEOUT_MS, ...). */
function sourceOverrides(env: NodeJS.ProcessEnv): Config['sources'] {
  const keys: [keyof SourceSettings, string][] = [
    ['timeoutMs', 'TIMEOUT_MS'],
    ['poolSize', 'POOL_SIZE'],
    ['breakerFailures', 'BREAKER_FAILURES'],
    ['breakerCooldownMs', 'BREAKER_COOLDOWN_MS'],
    ['retries', 'RETRIES'],
  ];
  const sources: Config['sources'] = {};
  for (const name of NATIONAL_DATABASES) {
    const settings: Partial<SourceSettings> = {};
    for (const [key, suffix] of keys) {
      const variable = [`${name.toUpperCase()}_${suffix}`, `SOURCE_${suffix}`].find(
        (candidate) => env[candidate] !== undefined && env[candidate] !== '',
      );
      // SOURCE_TIMEOUT_MS and DATABASE_POOL_SIZE are the defaults themselves.
      if (variable && variable !== 'SOURCE_TIMEOUT_MS' && variable !== 'SOURCE_POOL_SIZE')
        settings[key] = intFrom(env, variable, 0);
    }
    if (Object.keys(settings).length > 0) sources[name] = settings;
  }
  return sources;
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
    requestDeadlineMs: env.REQUEST_DEADLINE_MS ? intFrom(env, 'REQUEST_DEADLINE_MS', 0) : undefined,
    sources: sourceOverrides(env),
    readinessTimeoutMs: intFrom(env, 'READINESS_TIMEOUT_MS', 1000),
    drainTimeoutMs: intFrom(env, 'SHUTDOWN_DRAIN_MS', 10_000),
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
    peerWitness: {
      WITNESS_LOG_KEYS: env.WITNESS_LOG_KEYS,
      WITNESS_SIGNING_KEY: env.WITNESS_SIGNING_KEY,
      WITNESS_NAME: env.WITNESS_NAME,
    },
  };
}

/** True when no national database is configured and the embedded one serves them all. */
export function usesEmbeddedDatabase(config: Config): boolean {
  return NATIONAL_DATABASES.every((name) => config.databaseUrls[name] === undefined);
}
