import type { Knex } from 'knex';
import {
  citizens,
  circuitChanges,
  insuranceQuery,
  landQuery,
  openDatabase,
  populationQuery,
  sleep,
} from './support/fixtures';
import { after, load, summarize, withoutLogEntry, type Outcome } from './support/load';
import { freePort } from '../../src/federation/processes';
import {
  databaseUrl,
  startGatewayProcess,
  startInsuranceProcess,
  verifyAuditChain,
  type Child,
  type GatewayProcess,
} from './support/processes';
import { FaultProxy } from './support/proxy';

/**
 * One national database fails (locked, hung, slow, its connections killed, its service
 * killed); the gateway keeps answering the rest, within the request's deadline.
 */
const SOURCE_TIMEOUT_MS = 600;
const DEADLINE_MS = 700;
/** What a loaded two-core machine adds to a request beyond its deadline: audit commit, queueing. */
const MARGIN_MS = 600;
const PROTECTION = {
  SOURCE_TIMEOUT_MS: String(SOURCE_TIMEOUT_MS),
  REQUEST_DEADLINE_MS: String(DEADLINE_MS),
  SOURCE_BREAKER_FAILURES: '3',
  SOURCE_BREAKER_COOLDOWN_MS: '1000',
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

const pick = (list: string[], index: number) => list[index % list.length];

/** What holds after every fault: bounded latency, logged answers, a chain that verifies. */
async function expectSoundAfterwards(outcomes: Outcome[], gateway: GatewayProcess) {
  const slowest = [...outcomes].sort((a, b) => b.ms - a.ms)[0];
  if (slowest.ms > DEADLINE_MS + MARGIN_MS) console.log('slowest', slowest);
  expect(slowest.ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
  expect(await withoutLogEntry(db, outcomes)).toEqual([]);
  // Driver and pool messages are JSON lines too.
  expect(gateway.lines.filter((line) => !line.startsWith('{'))).toEqual([]);
  const verified = await verifyAuditChain();
  expect(verified).toMatchObject({ code: 0 });
}

describe('locked land tables, every national database on one DATABASE_URL', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGatewayProcess({
      ...PROTECTION,
      INSURANCE_SERVICE_URL: 'http://127.0.0.1:9', // never asked by these queries
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  it('locked land tables: a population-only query keeps its throughput without errors', async () => {
    // The same mixed load before and during the lock: population-only requests beside land ones.
    const mixed = (stop: () => boolean) =>
      Promise.all([
        load(gateway.url, (i) => populationQuery(pick(ids.any, i)), { concurrency: 4, stop }),
        load(gateway.url, (i) => landQuery(pick(ids.land, i)), { concurrency: 8, stop }),
      ]);
    const [baseline, landBefore] = await mixed(after(3000));
    expect(summarize(baseline).errors).toEqual({});
    expect(summarize(landBefore).errors).toEqual({});

    const locker = openDatabase(1);
    const trx = await locker.transaction();
    await trx.raw(
      'LOCK TABLE land.parcels, land.holders, land.certificates, land.mortgages IN ACCESS EXCLUSIVE MODE',
    );
    const [population, land] = await mixed(after(4000));
    // Every land statement of an answered request was cancelled: none waits on the lock.
    await sleep(300);
    const waiting = await db.raw(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = 'national-data-gateway:land' AND state = 'active'`,
    );
    await trx.rollback();
    await locker.destroy();

    const before = summarize(baseline);
    const during = summarize(population);
    const landDuring = summarize(land);
    console.log('locked land', {
      before,
      during,
      landDuring,
      waitingStatements: waiting.rows[0].n,
    });
    expect(during.errors).toEqual({});
    expect(during.ratePerSecond).toBeGreaterThanOrEqual(before.ratePerSecond * 0.7);
    expect(waiting.rows[0].n).toBe(0);
    for (const outcome of land) {
      expect(outcome.status).toBe(200);
      expect(outcome.personal).toBe(true);
      for (const error of outcome.errors)
        expect(error).toMatch(/^SOURCE_UNAVAILABLE:land:(timed_out|circuit_open)$/);
    }
    expect(landDuring.errors['SOURCE_UNAVAILABLE:land:circuit_open']).toBeGreaterThan(0);

    // Unlocked: after the cool-down the breaker probes, closes, and land answers again.
    const recovery = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 4,
      stop: after(3000),
    });
    const last = recovery.filter((outcome) => outcome.startedAt > Date.now() - 1000);
    expect(last.length).toBeGreaterThan(0);
    expect(summarize(last).errors).toEqual({});
    expect(circuitChanges(gateway.entries, 'land')).toEqual(
      expect.arrayContaining(['open', 'half-open', 'closed']),
    );
    await expectSoundAfterwards(
      [...baseline, ...landBefore, ...population, ...land, ...recovery],
      gateway,
    );
  });
});

describe('land hung, slow or cut off, behind a proxy', () => {
  let gateway: GatewayProcess;
  let proxy: FaultProxy;

  beforeAll(async () => {
    // Land goes through a proxy the tests can slow or silence; the rest reach PostgreSQL directly.
    proxy = await new FaultProxy(Number(new URL(databaseUrl()).port || 5432)).start();
    gateway = await startGatewayProcess({
      ...PROTECTION,
      LAND_DATABASE_URL: proxy.in(databaseUrl()),
      // Land's own call timeout is above the deadline: each call gets what the deadline leaves.
      LAND_TIMEOUT_MS: '1000',
      INSURANCE_SERVICE_URL: 'http://127.0.0.1:9', // never asked by these queries
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await proxy.close();
  });

  it('a hung source: answered within the deadline, then in milliseconds once the breaker opens', async () => {
    const warm = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 4,
      stop: after(1000),
    });
    expect(summarize(warm).errors).toEqual({});
    const opened = circuitChanges(gateway.entries, 'land').filter((c) => c === 'open').length;

    proxy.silence();
    const hung = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 6,
      stop: after(3000),
    });
    proxy.pass();
    const recovery = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 4,
      stop: after(3000),
    });

    const timedOut = hung.filter((o) => o.errors.some((e) => e.endsWith(':timed_out')));
    const shortCircuited = hung.filter((o) => o.errors.some((e) => e.endsWith(':circuit_open')));
    const figures = {
      timedOut: summarize(timedOut),
      circuitOpen: summarize(shortCircuited),
      recovery: summarize(recovery),
    };
    console.log('hung land', figures);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(figures.timedOut.max).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
    expect(shortCircuited.length).toBeGreaterThan(timedOut.length);
    // Milliseconds rather than the deadline: what is left is the gateway's own work and the log.
    expect(figures.circuitOpen.p50).toBeLessThan(figures.timedOut.p50 / 4);
    for (const outcome of hung) expect(outcome.personal).toBe(true);
    expect(
      circuitChanges(gateway.entries, 'land').filter((c) => c === 'open').length,
    ).toBeGreaterThan(opened);
    const last = recovery.filter((outcome) => outcome.startedAt > Date.now() - 1000);
    expect(summarize(last).errors).toEqual({});
    expect(circuitChanges(gateway.entries, 'land').at(-1)).toBe('closed');
    await expectSoundAfterwards([...warm, ...hung, ...recovery], gateway);
  });

  it('a slow source: every batch of a request shares one deadline', async () => {
    // Connections made first: opening one through a slow network takes several round trips.
    const warm = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 4,
      stop: after(1500),
    });
    expect(summarize(warm).errors).toEqual({});
    // Each land round trip takes 500 ms, within what a call may take; three land batches one
    // after the other would take 1,500 ms with a timeout per batch.
    proxy.delay(500);
    const slow = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 4,
      stop: after(3000),
    });
    proxy.pass();
    const figures = summarize(slow);
    console.log('slow land', figures);
    for (const outcome of slow) {
      expect(outcome.personal).toBe(true);
      for (const error of outcome.errors)
        expect(error).toMatch(/^SOURCE_UNAVAILABLE:land:(timed_out|circuit_open)$/);
    }
    // Cut at the deadline, not after three full timeouts (a new connection through the slow
    // network takes several round trips, so the breaker may open too).
    expect(figures.errors['SOURCE_UNAVAILABLE:land:timed_out']).toBeGreaterThan(0);
    await expectSoundAfterwards(slow, gateway);
  });

  it('terminated backends: the pools recover by themselves, reads are retried', async () => {
    const stop = after(4000);
    const killing = (async () => {
      let killed = 0;
      while (!stop()) {
        await sleep(800);
        const { rows } = await db.raw(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE application_name LIKE 'national-data-gateway:%'`,
        );
        killed += rows[0].n;
      }
      return killed;
    })();
    const outcomes = await load(
      gateway.url,
      (i) => (i % 2 ? populationQuery(pick(ids.any, i)) : landQuery(pick(ids.land, i))),
      { concurrency: 6, stop },
    );
    const killed = await killing;
    const after1s = await load(gateway.url, (i) => landQuery(pick(ids.land, i)), {
      concurrency: 4,
      stop: after(1000),
    });
    const figures = summarize(outcomes);
    console.log('terminated backends', { killed, figures });
    expect(killed).toBeGreaterThan(0);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(200);
      for (const error of outcome.errors) expect(error).toMatch(/^SOURCE_UNAVAILABLE:/);
    }
    // Retried on a fresh connection: almost every read survives its connection's end.
    expect(outcomes.filter((o) => o.errors.length > 0).length).toBeLessThanOrEqual(
      outcomes.length * 0.05,
    );
    expect(summarize(after1s).errors).toEqual({});
    // knex's "Connection Error" reached the log as JSON.
    expect(gateway.entries.some((entry) => entry.component === 'knex')).toBe(true);
    await expectSoundAfterwards([...outcomes, ...after1s], gateway);
  });
});

describe('the insurance service killed and restarted mid-load', () => {
  let gateway: GatewayProcess;
  let service: Child;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    service = await startInsuranceProcess(port);
    gateway = await startGatewayProcess({
      ...PROTECTION,
      INSURANCE_SERVICE_URL: `http://127.0.0.1:${port}`,
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await service.stop();
  });

  it('answers population meanwhile, names the refusal, and recovers', async () => {
    let stopAt = Infinity;
    const outcomes = load(gateway.url, (i) => insuranceQuery(pick(ids.insured, i)), {
      concurrency: 6,
      stop: () => Date.now() >= stopAt,
    });
    await sleep(1500);
    await service.stop();
    await sleep(2000);
    service = await startInsuranceProcess(port);
    // The cool-down passes, a probe finds the service back, the breaker closes.
    await gateway.waitFor(
      (line) => line.includes('"circuit closed"') && line.includes('insurance'),
    );
    stopAt = Date.now() + 1500;
    const all = await outcomes;
    const figures = summarize(all);
    console.log('insurance killed', figures);
    for (const outcome of all) {
      expect(outcome.status).toBe(200);
      expect(outcome.personal).toBe(true);
      for (const error of outcome.errors)
        expect(error).toMatch(/^SOURCE_UNAVAILABLE:insurance:(refused|failed|circuit_open)$/);
    }
    expect(figures.errors['SOURCE_UNAVAILABLE:insurance:refused']).toBeGreaterThan(0);
    expect(figures.errors['SOURCE_UNAVAILABLE:insurance:circuit_open']).toBeGreaterThan(0);
    const last = all.filter((outcome) => outcome.startedAt > Date.now() - 1000);
    expect(last.length).toBeGreaterThan(0);
    expect(summarize(last).errors).toEqual({});
    const changes = circuitChanges(gateway.entries, 'insurance');
    expect(changes).toEqual(expect.arrayContaining(['open', 'half-open', 'closed']));
    expect(changes.at(-1)).toBe('closed');
    await expectSoundAfterwards(all, gateway);
  });
});
