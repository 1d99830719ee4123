import type { Knex } from 'knex';
import { citizens, landQuery, openDatabase, populationQuery, sleep } from './support/fixtures';
import { after, load, summarize, withoutLogEntry, type Outcome } from './support/load';
import { startGatewayProcess, verifyAuditChain } from './support/processes';

/** The gateway process itself stopped: by SIGTERM (drained) and by SIGKILL (restarted). */
const DRAIN_MS = 5000;
const ENV = {
  SOURCE_TIMEOUT_MS: '1000',
  SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
  INSURANCE_SERVICE_URL: 'http://127.0.0.1:9', // never asked by these queries
};

let db: Knex;
let ids: Awaited<ReturnType<typeof citizens>>;

beforeAll(async () => {
  db = openDatabase();
  ids = await citizens(db);
});

afterAll(async () => {
  await db.destroy();
});

const mixed = (i: number) =>
  i % 2 ? populationQuery(ids.any[i % ids.any.length]) : landQuery(ids.land[i % ids.land.length]);

it('SIGTERM under load: every request in flight completes, then the process exits', async () => {
  const gateway = await startGatewayProcess(ENV);
  let signalAt = Infinity;
  const outcomes = load(gateway.url, mixed, {
    concurrency: 12,
    stop: () => gateway.proc.exitCode !== null || gateway.proc.signalCode !== null,
  });
  await sleep(1500);
  signalAt = Date.now();
  gateway.kill('SIGTERM');
  const exit = await gateway.exited;
  const exitedAfterMs = Date.now() - signalAt;
  const all = await outcomes;

  const inFlight = all.filter((outcome) => outcome.startedAt < signalAt);
  const later = all.filter((outcome) => outcome.startedAt >= signalAt);
  console.log('SIGTERM', {
    inFlight: summarize(inFlight),
    later: summarize(later),
    exitedAfterMs,
    exit,
  });
  expect(inFlight.length).toBeGreaterThan(12);
  for (const outcome of inFlight) expect(outcome).toMatchObject({ status: 200, errors: [] });
  // A request still arriving on a kept-alive connection is answered, and told to go.
  for (const outcome of later.filter((o) => o.status !== 0))
    expect(outcome).toMatchObject({ status: 200, connection: 'close' });
  expect(exit).toEqual({ code: 0, signal: null });
  expect(exitedAfterMs).toBeLessThan(DRAIN_MS + 5000);
  const messages = gateway.entries.map((entry) => entry.msg);
  expect(messages).toEqual(
    expect.arrayContaining(['shutting down', 'HTTP server drained', 'gateway stopped']),
  );
  expect(await withoutLogEntry(db, all)).toEqual([]);
  expect(await verifyAuditChain()).toMatchObject({ code: 0 });
});

it('SIGKILL under load: answers given had their entries, and a restart serves at once', async () => {
  const first = await startGatewayProcess(ENV);
  let killed = false;
  const before = load(first.url, mixed, { concurrency: 8, stop: () => killed });
  await sleep(1500);
  first.kill('SIGKILL');
  await first.exited;
  await sleep(200);
  killed = true;
  const cut: Outcome[] = await before;

  const second = await startGatewayProcess(ENV);
  const afterwards = await load(second.url, mixed, { concurrency: 8, stop: after(2000) });
  await second.stop();

  console.log('SIGKILL', { before: summarize(cut), afterwards: summarize(afterwards) });
  expect(cut.filter((outcome) => outcome.personal).length).toBeGreaterThan(0);
  for (const outcome of cut) expect([0, 200]).toContain(outcome.status);
  expect(summarize(afterwards).errors).toEqual({});
  expect(await withoutLogEntry(db, [...cut, ...afterwards])).toEqual([]);
  expect(await verifyAuditChain()).toMatchObject({ code: 0 });
});
