import { knex } from 'knex';
import { createInsuranceService } from './service';

/** Runs the social insurance agency's mock service on its own, over INSURANCE_DATABASE_URL or DATABASE_URL. */
const url = process.env.INSURANCE_DATABASE_URL || process.env.DATABASE_URL;
if (!url) {
  console.error('Set INSURANCE_DATABASE_URL (or DATABASE_URL) to the insurance database.');
  process.exit(2);
}
const port = Number(process.env.INSURANCE_PORT || 4100);
const host = process.env.HOST || '127.0.0.1';
const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
const server = createInsuranceService(db);
server.listen(port, host, () =>
  console.log(`insurance service on http://${host}:${port}/v1/lookup`),
);
process.on('SIGTERM', () => server.close(() => void db.destroy()));
