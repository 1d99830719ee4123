import { knex } from 'knex';
import seedOnce from '../../support/global-setup';
import { migrateAccess } from '../../../src/access/migrations';
import { AccessStore } from '../../../src/access/store';
import { procedureCatalogue } from '../../../src/procedures/catalogue';

/**
 * The fault suite runs on real PostgreSQL only: it seeds the test database as the main suite
 * does, and registers the demo clients the gateway processes are called with.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('npm run test:faults needs TEST_DATABASE_URL (real PostgreSQL)');
  await seedOnce();
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
  try {
    await migrateAccess(db);
    await new AccessStore(db).registerDemoClients(procedureCatalogue().codes());
  } finally {
    await db.destroy();
  }
}
