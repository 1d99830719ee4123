import type { Knex } from 'knex';
import { citizens, openDatabase, populationQuery, sleep } from './support/fixtures';
import { after, load, summarize, withoutLogEntry } from './support/load';
import { databaseUrl, startGatewayProcess, verifyAuditChain } from './support/processes';
import { FaultProxy } from './support/proxy';

/** The access log's database goes silent (connected, answering nothing), then is reset. */
const READINESS_TIMEOUT_MS = 500;
/** The access log's own bound on a commit (AuditLog's writeTimeoutMs default). */
const AUDIT_WRITE_TIMEOUT_MS = 5000;
const MARGIN_MS = 600;

let db: Knex;
let ids: string[];

beforeAll(async () => {
  db = openDatabase();
  ids = (await citizens(db)).any;
});

afterAll(async () => {
  await db.destroy();
});

async function readyz(url: string) {
  const started = Date.now();
  const response = await fetch(`${url}/readyz`);
  const body = (await response.json()) as {
    sources: Record<string, string>;
    circuits: Record<string, string>;
  };
  return { status: response.status, ms: Date.now() - started, body };
}

it('paused and reset: /readyz answers in bounded time, no data leaves unlogged, the chain verifies', async () => {
  const proxy = await new FaultProxy(Number(new URL(databaseUrl()).port || 5432)).start();
  const gateway = await startGatewayProcess({
    AUDIT_DATABASE_URL: proxy.in(databaseUrl()),
    READINESS_TIMEOUT_MS: String(READINESS_TIMEOUT_MS),
    INSURANCE_SERVICE_URL: 'http://127.0.0.1:9',
  });
  try {
    const healthy = await readyz(gateway.url);
    expect(healthy.body.sources.audit).toBe('up');
    expect(healthy.body.circuits.population).toBe('closed');
    const pick = (i: number) => populationQuery(ids[i % ids.length]);
    const warm = await load(gateway.url, pick, { concurrency: 4, stop: after(1000) });
    expect(summarize(warm).errors).toEqual({});

    proxy.silence();
    const stop = after(4000);
    const during = load(gateway.url, pick, { concurrency: 4, stop });
    const probes = [];
    for (let i = 0; i < 4; i++) {
      await sleep(600);
      probes.push(await readyz(gateway.url));
    }
    proxy.reset();
    proxy.pass();
    const paused = await during;
    const recovery = await load(gateway.url, pick, { concurrency: 4, stop: after(3000) });
    const healed = await readyz(gateway.url);

    console.log('audit paused', {
      readyzMs: probes.map((probe) => probe.ms),
      paused: summarize(paused),
      recovery: summarize(recovery),
    });
    for (const probe of probes) {
      expect(probe.ms).toBeLessThan(READINESS_TIMEOUT_MS + MARGIN_MS);
      expect(probe.status).toBe(503);
      expect(probe.body.sources).toMatchObject({ audit: 'down', population: 'up' });
    }
    for (const outcome of paused) {
      expect(outcome.ms).toBeLessThan(AUDIT_WRITE_TIMEOUT_MS + MARGIN_MS);
      if (!outcome.personal) expect(outcome.errors).toEqual(['AUDIT_UNAVAILABLE']);
    }
    expect(paused.filter((outcome) => !outcome.personal).length).toBeGreaterThan(0);
    const last = recovery.filter((outcome) => outcome.startedAt > Date.now() - 1000);
    expect(summarize(last).errors).toEqual({});
    expect(healed.body.sources.audit).toBe('up');
    expect(await withoutLogEntry(db, [...warm, ...paused, ...recovery])).toEqual([]);
    expect(await verifyAuditChain()).toMatchObject({ code: 0 });
  } finally {
    await gateway.stop();
    await proxy.close();
  }
});
