import { knex } from 'knex';
import { seedNationalDatabases } from '../../mocks/generator';
import { migrateAccess } from '../../src/access/migrations';
import { migrateAudit } from '../../src/audit';
import { buildWeb, webBuildCurrent } from '../../scripts/build-web';
import { TEST_CITIZENS, TEST_SEED, testConfig, topology } from './gateway';
import {
  dropSubgraphLogDatabases,
  startSubgraphProcesses,
  type SubgraphProcesses,
} from './subgraphs';

/** Where the test files find the federated run's subgraphs (set here, read in test/support/gateway.ts). */
export const SUBGRAPHS_VARIABLE = 'TEST_SUBGRAPH_URLS';
export const SIGNING_KEY_VARIABLE = 'TEST_FEDERATION_SIGNING_KEY';

/**
 * Builds the web pages when needed; on real PostgreSQL, seeds the national databases once for
 * the whole run; with TOPOLOGY=federated, starts the subgraph processes once for every test
 * file (each file composes them with a federated gateway of its own).
 */
export default async function globalSetup(): Promise<void> {
  // The browser tests load the built pages: build them when missing or older than web/.
  if (!webBuildCurrent()) buildWeb();
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  try {
    // Each run starts with empty access logs, witness ledgers and client registry of its own.
    await db.raw('DROP SCHEMA IF EXISTS audit CASCADE');
    await db.raw('DROP SCHEMA IF EXISTS witness CASCADE');
    await db.raw('DROP SCHEMA IF EXISTS gateway CASCADE');
    await dropSubgraphLogDatabases(url);
    await seedNationalDatabases(() => db, { citizens: TEST_CITIZENS, seed: TEST_SEED });
    // Migrated once here: test files start in parallel and would race to create the schemas.
    await migrateAccess(db);
    await migrateAudit(db);
  } finally {
    await db.destroy();
  }
  if (topology() === 'federated') {
    // A smaller pool per subgraph: six processes share the server's connections with the tests.
    const subgraphs = await startSubgraphProcesses(testConfig(), { poolSize: 4 });
    (globalThis as { testSubgraphs?: SubgraphProcesses }).testSubgraphs = subgraphs;
    process.env[SUBGRAPHS_VARIABLE] = JSON.stringify(subgraphs.urls());
    process.env[SIGNING_KEY_VARIABLE] = subgraphs.keys.privateKey
      .export({ format: 'pem', type: 'pkcs8' })
      .toString();
  }
}
