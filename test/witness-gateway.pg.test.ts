import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadSigningKey } from '../src/audit';
import { loadConfig } from '../src/config';
import {
  DEFAULT_LOG_ORIGIN,
  encodeVerifierKey,
  logVerifierKey,
  serveWitness,
  type WitnessServer,
} from '../src/witness';
import { startTestGateway, type TestGateway } from './support/gateway';
import {
  ScratchDatabases,
  auditVerifyCommand,
  newCosigner,
  newWitness,
  rechain,
} from './support/witness';

/**
 * The gateway with a witness as a real HTTP server, and `npm run audit -- verify` as a separate
 * process with the gateway's own environment. Runs on PostgreSQL only (a file `*.pg.test.ts`,
 * which jest runs when TEST_DATABASE_URL is set): the command line reaches the log over the wire.
 */
const TEST_URL = process.env.TEST_DATABASE_URL as string;
const ROOT = path.join(__dirname, '..');
const run = promisify(execFile);

const dbs = new ScratchDatabases(TEST_URL);
const signingPem = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const cosigner = newCosigner('witness.test/gateway');
let env: NodeJS.ProcessEnv;
let witnessServer: WitnessServer;
let restartWitness: (port: number) => Promise<WitnessServer>;
let logDb: Awaited<ReturnType<ScratchDatabases['open']>>;
let t: TestGateway;
let gatewayOpen = false;

beforeAll(async () => {
  logDb = await dbs.open('wgwlog');
  const ledger = await dbs.open('wgwledger');
  const key = loadSigningKey({ AUDIT_SIGNING_KEY: signingPem });
  const witness = await newWitness(ledger.knex, DEFAULT_LOG_ORIGIN, key, cosigner);
  restartWitness = (port) => serveWitness(witness, { port });
  witnessServer = await restartWitness(0);
  // The gateway's configuration, which the command line below is given unchanged.
  env = {
    DATABASE_URL: TEST_URL,
    AUDIT_DATABASE_URL: logDb.url as string,
    AUDIT_SIGNING_KEY: signingPem,
    AUDIT_WITNESS_URL: witnessServer.url,
    AUDIT_WITNESS_KEYS: encodeVerifierKey(cosigner),
    AUDIT_CHECKPOINT_ENTRIES: '10',
    AUDIT_CHECKPOINT_SECONDS: '1',
  };
  const config = loadConfig(env);
  t = await startTestGateway({
    auditDatabaseUrl: config.auditDatabaseUrl,
    auditKeys: config.auditKeys,
    auditWitnessUrls: config.auditWitnessUrls,
    auditWitnessKeys: config.auditWitnessKeys,
    auditCheckpointEntries: config.auditCheckpointEntries,
    auditCheckpointSeconds: config.auditCheckpointSeconds,
  });
  gatewayOpen = true;
});

afterAll(async () => {
  if (gatewayOpen) await t.close();
  await witnessServer?.close();
  await dbs.close();
});

async function citizenIds(n: number): Promise<string[]> {
  const { rows } = await t
    .db('population')
    .raw<{ rows: { id: string }[] }>(`SELECT id FROM population.citizens ORDER BY id LIMIT ?`, [n]);
  return rows.map((row) => row.id);
}

async function read(id: string): Promise<{ status: number; requestId: string; released: boolean }> {
  const requestId = `witness-test-${randomUUID()}`;
  const response = await t.graphql(
    'query ($id: ID!) { citizen(id: $id) { id fullName } }',
    { id },
    { 'x-request-id': requestId },
  );
  const released = Boolean(
    (response.body.data as { citizen?: { fullName?: string } })?.citizen?.fullName,
  );
  return { status: response.status, requestId, released };
}

it('prints the log key a witness is configured with', async () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const { stdout } = await run(tsx, ['scripts/audit.ts', 'log-key'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, AUDIT_SIGNING_KEY: signingPem },
  });
  const key = loadSigningKey({ AUDIT_SIGNING_KEY: signingPem });
  expect(stdout.trim()).toBe(logVerifierKey(DEFAULT_LOG_ORIGIN, key.publicKey));
});

it('releases nothing unlogged while the witness is down, and sends the backlog when it returns', async () => {
  const ids = await citizenIds(50);
  const before = await Promise.all(ids.slice(0, 20).map(read));
  expect(before.every((r) => r.status === 200 && r.released)).toBe(true);
  await t.gateway.audit.checkpoint();
  const deadline0 = Date.now() + 5000;
  while (t.gateway.audit.witnessStatus()[0].backlog > 0 && Date.now() < deadline0) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(t.gateway.audit.witnessStatus()[0]).toMatchObject({ state: 'up', backlog: 0 });

  const port = (witnessServer.server.address() as AddressInfo).port;
  await witnessServer.close();
  // 200 reads, 20 at a time, with the witness down: every one answered, every one logged.
  const results: Awaited<ReturnType<typeof read>>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < 200) results.push(await read(ids[next++ % ids.length]));
    }),
  );
  expect(results.filter((r) => r.status === 200 && r.released)).toHaveLength(200);
  const { rows } = await logDb.knex.raw<{ rows: { client_request_id: string }[] }>(
    'SELECT client_request_id FROM audit.entries WHERE client_request_id = ANY(?::text[])',
    [`{${results.map((r) => r.requestId).join(',')}}`],
  );
  expect(new Set(rows.map((row) => row.client_request_id)).size).toBe(200);
  await t.gateway.audit.checkpoint();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const down = t.gateway.audit.witnessStatus()[0];
  expect(down).toMatchObject({ url: env.AUDIT_WITNESS_URL, state: 'down' });
  expect(down.backlog).toBeGreaterThan(5);

  witnessServer = await restartWitness(port);
  const deadline = Date.now() + 40_000;
  while (t.gateway.audit.witnessStatus()[0].backlog > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { rows: head } = await logDb.knex.raw<{ rows: { seq: string }[] }>(
    'SELECT checkpoint_seq::text AS seq FROM audit.head',
  );
  expect(t.gateway.audit.witnessStatus()[0]).toMatchObject({
    state: 'up',
    backlog: 0,
    lastWitnessedSequence: head[0].seq,
  });
});

it('npm run audit -- verify, with the gateway’s environment, exits 1 naming a dropped tail once head and checkpoints were rewritten', async () => {
  await t.close();
  gatewayOpen = false;
  const intact = await auditVerifyCommand(env);
  expect(intact.stdout).toMatch(/^OK: /);
  expect(intact.stdout).toMatch(/Witness http:\/\/127\.0\.0\.1:\d+: OK/);
  expect(intact.code).toBe(0);

  const { rows } = await logDb.knex.raw<{ rows: { seq: string }[] }>(
    'SELECT seq::text AS seq FROM audit.head',
  );
  const head = Number(rows[0].seq);
  expect(head).toBeGreaterThanOrEqual(220);
  await rechain(logDb.knex, head - 49, []);

  const alone = await auditVerifyCommand({ ...env, AUDIT_WITNESS_URL: '', AUDIT_WITNESS_KEYS: '' });
  expect(alone.code).toBe(0);
  expect(alone.stdout).toMatch(/^OK: The chain is intact/);
  expect(alone.stdout).toMatch(/a dropped tail cannot be detected/);

  const cut = await auditVerifyCommand(env);
  expect(cut.code).toBe(1);
  expect(cut.stdout).toContain(`BROKEN: DROPPED_TAIL at entry ${head - 49}`);
  expect(cut.stdout).toContain(`last witnessed sequence ${head}`);
});
