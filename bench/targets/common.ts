import http from 'node:http';
import { Pool } from 'pg';
import { Pool as HttpPool } from 'undici';

/** What every comparator reads from its environment, set by the harness that starts it. */
export interface TargetEnv {
  databaseUrl: string;
  port: number;
  metricsPort: number;
  poolSize: number;
  /** The social insurance agency's HTTP service, as the gateway reaches it. */
  insuranceUrl: string | null;
  /** How insurance is read: over the agency's HTTP service (as the gateway must) or its tables. */
  insuranceOver: 'http' | 'sql';
}

export function targetEnv(env: NodeJS.ProcessEnv = process.env): TargetEnv {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL must name the seeded database');
  return {
    databaseUrl,
    port: Number(env.PORT ?? 4001),
    metricsPort: Number(env.METRICS_PORT ?? 4901),
    // The gateway's default pool, so that no comparator wins by holding more connections.
    poolSize: Number(env.DATABASE_POOL_SIZE ?? 10),
    insuranceUrl: env.INSURANCE_SERVICE_URL || null,
    insuranceOver: env.INSURANCE_OVER === 'sql' ? 'sql' : 'http',
  };
}

/**
 * The insurance agency's batch endpoint (mocks/insurance-service), one POST per batch of keys,
 * counted as one insurance call. Twice the database pool in keep-alive connections, as the
 * gateway's insurance adapter holds, so that no target waits on the hop more than the gateway.
 */
export class InsuranceHttp {
  private readonly pool: HttpPool;

  constructor(
    env: TargetEnv,
    private readonly counter: StatementCounter,
  ) {
    if (!env.insuranceUrl) throw new Error('INSURANCE_SERVICE_URL must name the agency service');
    this.pool = new HttpPool(env.insuranceUrl, {
      connections: env.poolSize * 2,
      pipelining: 1,
      keepAliveTimeout: 30_000,
    });
  }

  /** One entry per key, in key order (null or [] where the agency holds nothing). */
  async lookup<R>(op: string, keys: readonly string[]): Promise<R[]> {
    this.counter.record('insurance');
    const response = await this.pool.request({
      path: '/v1/lookup',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ op, keys }),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`insurance service answered ${response.statusCode}`);
    }
    return ((await response.body.json()) as { results: R[] }).results;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Statements issued per national database: the shape of the gateway's GET /metrics. */
export class StatementCounter {
  private readonly counts: Record<string, number> = {};

  record(source: string): void {
    this.counts[source] = (this.counts[source] ?? 0) + 1;
  }

  snapshot(): Record<string, number> {
    return { ...this.counts };
  }
}

/**
 * A pg pool whose every statement is counted against the national database it reads. With
 * `prepare`, each distinct statement is prepared once per connection under a name (as the
 * gateway's adapters do), so that PostgreSQL plans it once rather than on every request.
 */
export class CountedPool {
  readonly pool: Pool;
  readonly counter = new StatementCounter();
  private readonly names = new Map<string, string>();

  constructor(
    env: TargetEnv,
    private readonly prepare = false,
  ) {
    this.pool = new Pool({ connectionString: env.databaseUrl, max: env.poolSize });
  }

  async query<R>(source: string, text: string, values: unknown[]): Promise<R[]> {
    this.counter.record(source);
    if (!this.prepare) return (await this.pool.query(text, values)).rows as R[];
    let name = this.names.get(text);
    if (!name) {
      name = `s${this.names.size}`;
      this.names.set(text, name);
    }
    return (await this.pool.query({ name, text, values })).rows as R[];
  }
}

/**
 * Serves `{"sourceCalls": {...}}` on its own port, like the gateway's GET /metrics, so that the
 * harness counts calls per request the same way for every target.
 */
export function serveMetrics(
  port: number,
  snapshot: () => Record<string, number>,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sourceCalls: snapshot() }));
  });
  return listen(server, port);
}

export function listen(server: http.Server, port: number): Promise<http.Server> {
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Stops on SIGTERM/SIGINT after `close`, and exits non-zero if the target fails to start. */
export function runTarget(name: string, start: () => Promise<() => Promise<void>>): void {
  start().then(
    (close) => {
      const stop = () => {
        close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      console.error(`${name} failed to start:`, error);
      process.exit(1);
    },
  );
}

/** The text of an address as the gateway writes it: street, commune and province. */
export function addressText(
  street: string,
  commune: { name: string } | undefined | null,
  province: { name: string } | undefined | null,
): string {
  return [street, commune?.name, province?.name].filter(Boolean).join(', ');
}
