/**
 * Load and soak: starts the gateway as its own process on loopback, sends an open-loop mix of
 * citizen queries at a fixed rate for a fixed time, and reports the rate, errors by code,
 * latency percentiles by minute and the gateway's resident memory. Bounded in time and count;
 * stops by itself. Exit code 1 when any request failed.
 *
 *   npm run soak -- --minutes 10 --rate 50 [--database postgres://...]
 *
 * Without --database the gateway runs on the embedded default; with it, on that (seeded)
 * PostgreSQL database, with the insurance service as a process of its own.
 */
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { knex } from 'knex';
import { sampleIdentifiers } from '../mocks/generator';
import { migrateAccess } from '../src/access/migrations';
import { AccessStore } from '../src/access/store';
import { procedureCatalogue } from '../src/procedures/catalogue';
import { percentile, send, type Outcome } from '../test/faults/support/load';
import { freePort } from '../src/federation/processes';
import {
  startGatewayProcess,
  startInsuranceProcess,
  type Child,
} from '../test/faults/support/processes';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    rate: { type: 'string', default: '50' },
    database: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0 && minutes <= 120) || !(rate > 0 && rate <= 2000)) {
  console.error('--minutes must be in (0, 120] and --rate in (0, 2000]');
  process.exit(2);
}
/** In flight at most; a request due while this many are waiting is counted as skipped. */
const MAX_IN_FLIGHT = 256;

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function citizenIds(database: string | undefined): Promise<string[]> {
  if (!database) return sampleIdentifiers({ citizens: 3000, seed: 2025 }).citizens;
  const db = knex({ client: 'pg', connection: database, pool: { min: 0, max: 1 } });
  try {
    await migrateAccess(db);
    await new AccessStore(db).registerDemoClients(procedureCatalogue().codes());
    const { rows } = await db.raw('SELECT id FROM population.citizens ORDER BY id LIMIT 500');
    return rows.map((row: { id: string }) => row.id);
  } finally {
    await db.destroy();
  }
}

const QUERIES = [
  `query ($id: ID!) { citizen(id: $id) { id fullName dateOfBirth } }`,
  `query ($id: ID!) { citizen(id: $id) { id fullName householdRelation household { members { id } } enterprises { role } } }`,
  `query ($id: ID!) { citizen(id: $id) { id landRights { share parcel { id area } } } }`,
  `query ($id: ID!) { citizen(id: $id) { id insurance { status contributionMonths healthInsuranceCards { number validTo } } } }`,
];

async function main(): Promise<void> {
  const ids = await citizenIds(values.database);
  let insurance: Child | undefined;
  let env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
  if (values.database) {
    process.env.TEST_DATABASE_URL = values.database;
    const port = await freePort();
    insurance = await startInsuranceProcess(port);
    env = {
      ...env,
      DATABASE_URL: values.database,
      INSURANCE_SERVICE_URL: `http://127.0.0.1:${port}`,
    };
  }
  const gateway = await startGatewayProcess(
    { ...env, LOG_LEVEL: 'info' },
    {
      embedded: !values.database,
    },
  );
  const pid = gateway.proc.pid as number;
  // Warm-up, not measured: each query once per sample citizen, one at a time.
  for (const query of QUERIES)
    for (const id of ids.slice(0, 8)) await send(gateway.url, { query, variables: { id } });
  const durationMs = minutes * 60_000;
  const total = Math.ceil((durationMs / 1000) * rate);
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const outcomes: Outcome[] = [];
  const memory: { second: number; rssMb: number }[] = [{ second: 0, rssMb: rssMb(pid) }];
  const started = Date.now();
  const sampler = setInterval(
    () => memory.push({ second: Math.round((Date.now() - started) / 1000), rssMb: rssMb(pid) }),
    5000,
  );
  let inFlight = 0;
  let skipped = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight >= MAX_IN_FLIGHT) {
      skipped += 1;
      continue;
    }
    inFlight += 1;
    const query = QUERIES[i % QUERIES.length];
    pending.push(
      send(gateway.url, { query, variables: { id: ids[i % ids.length] } }, { agent }).then(
        (outcome) => {
          inFlight -= 1;
          outcomes.push(outcome);
        },
      ),
    );
  }
  await Promise.all(pending);
  clearInterval(sampler);
  memory.push({ second: Math.round((Date.now() - started) / 1000), rssMb: rssMb(pid) });
  agent.destroy();
  await gateway.stop();
  await insurance?.stop();

  // Buckets of a minute, or of a quarter of the run when it is shorter than two minutes.
  const bucketMs = minutes >= 2 ? 60_000 : Math.max(1000, durationMs / 4);
  const buckets = new Map<number, Outcome[]>();
  for (const outcome of outcomes) {
    const index = Math.floor((outcome.startedAt - started) / bucketMs);
    buckets.set(index, [...(buckets.get(index) ?? []), outcome]);
  }
  const errors: Record<string, number> = {};
  let failed = 0;
  for (const outcome of outcomes) {
    if (outcome.status !== 200 || outcome.errors.length > 0) failed += 1;
    if (outcome.status !== 200 && outcome.errors.length === 0)
      errors[`HTTP_${outcome.status}`] = 1 + (errors[`HTTP_${outcome.status}`] ?? 0);
    for (const code of new Set(outcome.errors)) errors[code] = (errors[code] ?? 0) + 1;
  }
  const seconds = (Date.now() - started) / 1000;
  const report = {
    target: values.database ? 'postgresql' : 'embedded',
    minutes,
    requestedRate: rate,
    sent: outcomes.length,
    skipped,
    achievedRate: Math.round((outcomes.length / seconds) * 10) / 10,
    failed,
    errors,
    byBucket: [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, list]) => {
        const ms = list.map((outcome) => outcome.ms);
        return {
          fromSecond: Math.round((index * bucketMs) / 1000),
          count: list.length,
          p50: percentile(ms, 50),
          p95: percentile(ms, 95),
          p99: percentile(ms, 99),
          max: Math.max(...ms),
        };
      }),
    rssMb: memory,
  };
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
