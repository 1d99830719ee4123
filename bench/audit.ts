import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { knex, type Knex } from 'knex';
import { Client } from 'pg';
import { AuditLog, migrateAudit } from '../src/audit';
import type { AuditEntryInput } from '../src/audit/types';

/**
 * How many access-log entries, and group commits, the log's database sustains: `writers`
 * AuditLog instances (gateway replicas, each with its own pool) over one database, each with
 * `concurrency` requests that append an entry and wait for its commit, one after the other, as
 * a request of the gateway does before it answers. Runs in a database of its own beside the
 * bench database (`<database>_auditlog`), emptied first.
 *
 *   npx tsx bench/audit.ts [--database-url URL] [--seconds 10] [--concurrency 32,128,512]
 *                          [--writers 1,2,4]
 */

interface Measure {
  writers: number;
  concurrency: number;
  entriesPerSecond: number;
  commitsPerSecond: number;
  entriesPerCommit: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
}

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

async function ownDatabase(url: string): Promise<string> {
  const target = new URL(url);
  const name = `${target.pathname.slice(1)}_auditlog`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  target.pathname = `/${name}`;
  return target.toString();
}

/** An entry of a W1 request: one citizen, the fields a profile reads. */
function entry(): AuditEntryInput {
  const citizen = String(Math.floor(Math.random() * 1e12)).padStart(12, '0');
  return {
    requestId: randomUUID(),
    clientRequestId: null,
    at: new Date(),
    clientId: 'bench',
    actor: null,
    purpose: 'BENCHMARK',
    caseId: null,
    operation: 'citizen',
    documentHash: 'f'.repeat(64),
    subjects: [citizen],
    fields: [
      'Citizen.id',
      'Citizen.fullName',
      'Citizen.dateOfBirth',
      'Citizen.sex',
      'Citizen.permanentAddress',
      'Citizen.enterprises',
      'Citizen.landRights',
      'Citizen.insurance',
      'Citizen.civilService',
    ],
    denied: [],
    outcome: 'OK',
    durationMs: 10,
    restrictedUntil: null,
  };
}

async function measure(
  url: string,
  writers: number,
  concurrency: number,
  seconds: number,
): Promise<Measure> {
  const handles: Knex[] = [];
  const logs: AuditLog[] = [];
  for (let i = 0; i < writers; i++) {
    // The gateway's own pool for its log: DATABASE_POOL_SIZE, 10.
    const handle = knex({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
    handles.push(handle);
    const { privateKey } = generateKeyPairSync('ed25519');
    logs.push(new AuditLog(handle, { signingKey: privateKey }));
  }
  const before = logs.map((log) => log.writerCounters());
  const latencies: number[] = [];
  let failed = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, index) => {
      const log = logs[index % writers];
      while (Date.now() < until) {
        const at = performance.now();
        try {
          await log.append(entry());
          latencies.push(performance.now() - at);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const after = logs.map((log) => log.writerCounters());
  const sum = (key: 'appended' | 'batches', counters: typeof after) =>
    counters.reduce((total, counter) => total + counter[key], 0);
  const entries = sum('appended', after) - sum('appended', before);
  const commits = sum('batches', after) - sum('batches', before);
  await Promise.all(logs.map((log) => log.close()));
  await Promise.all(handles.map((handle) => handle.destroy()));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
  return {
    writers,
    concurrency,
    entriesPerSecond: Math.round(entries / elapsed),
    commitsPerSecond: Math.round(commits / elapsed),
    entriesPerCommit: Math.round((10 * entries) / Math.max(1, commits)) / 10,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    failed,
  };
}

async function main(): Promise<void> {
  const base = flag('--database-url', 'postgres://postgres@127.0.0.1:5432/national');
  const seconds = Number(flag('--seconds', '10'));
  const levels = flag('--concurrency', '32,128,512').split(',').map(Number);
  const writerCounts = flag('--writers', '1,2,4').split(',').map(Number);
  const url = await ownDatabase(base);
  const setup = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await migrateAudit(setup);
  await setup.destroy();
  const results: Measure[] = [];
  for (const writers of writerCounts) {
    for (const concurrency of levels) {
      const result = await measure(url, writers, concurrency, seconds);
      console.log(JSON.stringify(result));
      results.push(result);
    }
  }
  console.table(results);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
