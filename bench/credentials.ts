import { knex } from 'knex';
import { AccessStore, DEMO_RATE_LIMIT_PER_MINUTE } from '../src/access';

/**
 * Where the benchmark client's credential comes from. A gateway on real databases has no demo
 * clients, so the harness registers its own client, `bench`, in the gateway's registry (the
 * `gateway` schema of the database it benchmarks), allowed every field under each purpose the
 * workloads use, with a rate limit that never binds; each run gives it a fresh key, which is
 * held in memory only. The comparators have no access control and ignore the headers.
 */

export const BENCH_CLIENT = 'bench';

/**
 * Registers the bench client (or updates its purposes) and returns a new API key for it. The
 * gateway must have started once on this database, so that its registry exists.
 */
export async function benchApiKey(databaseUrl: string, purposes: string[]): Promise<string> {
  const db = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  try {
    const store = new AccessStore(db);
    const specs = [...new Set(purposes)].map((purpose) => ({ purpose, fields: ['*'] }));
    if (await store.client(BENCH_CLIENT)) {
      await store.setPurposes(BENCH_CLIENT, specs);
      return await store.rotateKey(BENCH_CLIENT);
    }
    const { apiKey } = await store.addClient({
      id: BENCH_CLIENT,
      name: 'Benchmark harness (npm run bench)',
      purposes: specs,
      rateLimitPerMinute: DEMO_RATE_LIMIT_PER_MINUTE,
    });
    return apiKey;
  } finally {
    await db.destroy();
  }
}

/** The headers of one request: the bench client's key and why the data is read. */
export function benchHeaders(apiKey: string, purpose: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, 'x-purpose': purpose };
}
