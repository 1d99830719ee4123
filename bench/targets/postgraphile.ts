import './with-resolvers';
import http from 'node:http';
import { Pool, type PoolClient } from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { jsonPgSmartTags } from 'postgraphile/utils';
import { StatementCounter, listen, runTarget, serveMetrics, targetEnv } from './common';

/**
 * postgraphile: PostGraphile v5 (amber preset) over the population schema only, for P1, the
 * population-only workload. The mock tables carry no foreign keys, so a smart tag declares the
 * one relation P1 follows (a citizen's household), as a PostGraphile user would.
 */

/** Counts every statement PostGraphile sends, whichever pooled connection sends it. */
function countingPool(pool: Pool, counter: StatementCounter): Pool {
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
      ...args: unknown[]
    ) => {
      counter.record('population');
      return query(...args);
    };
  });
  return pool;
}

async function start(): Promise<() => Promise<void>> {
  const env = targetEnv();
  const counter = new StatementCounter();
  const pool = countingPool(
    new Pool({ connectionString: env.databaseUrl, max: env.poolSize }),
    counter,
  );
  const preset: GraphileConfig.Preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [
      jsonPgSmartTags({
        version: 1,
        config: {
          class: {
            'population.citizens': {
              tags: { foreignKey: '(household_id) references population.households (id)' },
            },
          },
        },
      }),
    ],
    pgServices: [makePgService({ pool, schemas: ['population'] })],
    grafserv: { port: env.port, graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  await pgl.getSchema();
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  await serv.addTo(server);
  await listen(server, env.port);
  const before = counter.snapshot().population ?? 0;
  // Introspection at start is not a request's statement: count from here.
  const metrics = await serveMetrics(env.metricsPort, () => ({
    population: (counter.snapshot().population ?? 0) - before,
  }));
  return async () => {
    metrics.close();
    await new Promise((resolve) => server.close(resolve));
    await pgl.release();
    await pool.end();
  };
}

runTarget('postgraphile', start);
