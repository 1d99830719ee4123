import { knex, type Knex } from 'knex';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * With the access log out of reach, personal data is refused with AUDIT_UNAVAILABLE, and
 * serving resumes when it returns. On real PostgreSQL the log gets a database of its own that
 * the test closes to connections; on the embedded database its table is taken away.
 */
const realUrl = process.env.TEST_DATABASE_URL;
const AUDIT_DB = 'test_audit_outage';

let t: TestGateway;
let admin: Knex | undefined;
let citizenId: string;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function stopAuditDatabase(): Promise<void> {
  if (admin) {
    await admin.raw(`ALTER DATABASE ${AUDIT_DB} ALLOW_CONNECTIONS false`);
    await admin.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?`, [
      AUDIT_DB,
    ]);
  } else {
    await t.db('population').raw(`ALTER TABLE audit.entries RENAME TO entries_away`);
  }
}

async function startAuditDatabase(): Promise<void> {
  if (admin) await admin.raw(`ALTER DATABASE ${AUDIT_DB} ALLOW_CONNECTIONS true`);
  else await t.db('population').raw(`ALTER TABLE audit.entries_away RENAME TO entries`);
}

beforeAll(async () => {
  let auditDatabaseUrl: string | undefined;
  if (realUrl) {
    admin = knex({
      client: 'pg',
      connection: withDatabase(realUrl, 'postgres'),
      pool: { min: 0, max: 1 },
    });
    await admin.raw(`DROP DATABASE IF EXISTS ${AUDIT_DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${AUDIT_DB}`);
    auditDatabaseUrl = withDatabase(realUrl, AUDIT_DB);
  }
  t = await startTestGateway(auditDatabaseUrl ? { auditDatabaseUrl } : {});
  citizenId = (await t.db('population').raw(`SELECT min(id) AS id FROM population.citizens`))
    .rows[0].id;
});

afterAll(async () => {
  await t.close();
  if (admin) {
    await admin.raw(`DROP DATABASE IF EXISTS ${AUDIT_DB} WITH (FORCE)`);
    await admin.destroy();
  }
});

it('refuses personal data while the log is down and serves again when it is back', async () => {
  const query = `{ citizen(id: "${citizenId}") { fullName dateOfBirth } }`;
  const before = await t.graphql(query);
  expect(before.status).toBe(200);

  await stopAuditDatabase();
  const during = await t.graphql(query);
  expect(during.status).toBe(503);
  expect(during.body.errors![0].extensions!.code).toBe('AUDIT_UNAVAILABLE');
  expect(during.body.data).toBeUndefined();
  expect(JSON.stringify(during.body)).not.toContain(citizenId);
  // What needs no log entry still works.
  const catalogue = await t.graphql(`{ administrativeUnit(code: "01") { name } }`);
  expect(catalogue.status).toBe(200);

  await startAuditDatabase();
  let after = await t.graphql(query);
  for (let attempt = 0; attempt < 20 && after.status !== 200; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    after = await t.graphql(query);
  }
  expect(after.status).toBe(200);
  expect(after.body.errors).toBeUndefined();
  const { body } = await t.graphql<{ verifyAuditChain: { ok: boolean } }>(
    `{ verifyAuditChain { ok message } }`,
    undefined,
    {
      authorization: 'Bearer demo-auditor',
    },
  );
  expect(body.data!.verifyAuditChain.ok).toBe(true);
});
