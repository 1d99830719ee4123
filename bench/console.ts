/**
 * The auditor console's page time on a large access log, in real PostgreSQL:
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test_console \
 *     npx tsx bench/console.ts [--entries 1000000] [--pages 10] [--explain]
 * Fills the log to `--entries` chain-valid entries over the last 90 days (appending to what is
 * there), then times the console's GraphQL operations over HTTP, as the page sends them: the
 * first page and `--pages` pages after it by cursor, under each filter. With `--explain` it
 * prints the plan of each page's query as well. The database's other schemas are seeded as the
 * tests seed them when missing.
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { knex, type Knex } from 'knex';
import { seedNationalDatabases } from '../mocks/generator';
import { ensureAuditPartitions, migrateAudit } from '../src/audit';
import { entryHash } from '../src/audit/canonical';
import { rowsOf, textArrayLiteral } from '../src/audit/rows';
import { startTestGateway, TEST_CITIZENS, TEST_SEED } from '../test/support/gateway';

const DAY = 86_400_000;
const SPAN_DAYS = 90;
const BATCH = 2000;

const CLIENTS: { id: string; purposes: string[]; fields: string[]; share: number }[] = [
  {
    id: 'portal-dvc',
    purposes: ['BIRTH_REGISTRATION', 'PERMANENT_RESIDENCE_REGISTRATION', 'MARRIAGE_REGISTRATION'],
    fields: ['Citizen.fullName', 'Citizen.dateOfBirth', 'Citizen.permanentAddress'],
    share: 0.45,
  },
  {
    id: 'hanoi-one-stop',
    purposes: ['LAND_TRANSFER_REGISTRATION'],
    fields: ['Citizen.fullName', 'Citizen.landRights', 'LandParcel.area'],
    share: 0.2,
  },
  {
    id: 'bank-ekyc',
    purposes: ['EKYC'],
    fields: ['Citizen.fullName', 'Citizen.dateOfBirth'],
    share: 0.2,
  },
  {
    id: 'vss-insurance',
    purposes: ['UNEMPLOYMENT_BENEFIT'],
    fields: ['Citizen.fullName', 'Citizen.insurance', 'InsuranceRecord.contributions'],
    share: 0.1,
  },
  {
    id: 'police-investigation',
    purposes: ['INVESTIGATION'],
    fields: ['Citizen.fullName'],
    share: 0.05,
  },
];

/** A deterministic generator, so two runs fill the same log. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const citizenId = (n: number) => `001${String(90_000_000 + n).padStart(9, '0')}`;

async function fill(db: Knex, target: number): Promise<number> {
  const [{ count }] = await rowsOf<{ count: string }>(
    db.raw('SELECT count(*)::text AS count FROM audit.entries'),
  );
  let have = Number(count);
  if (have >= target) return have;
  const [head] = await rowsOf<{ seq: string; hash: string }>(
    db.raw('SELECT seq::text AS seq, hash FROM audit.head'),
  );
  let seq = BigInt(head.seq);
  let previousHash = head.hash;
  const rand = random(Number(seq) + 1);
  const end = Date.now() - 60_000;
  const start = end - SPAN_DAYS * DAY;
  const missing = target - have;
  const started = performance.now();
  for (let done = 0; done < missing; done += BATCH) {
    const size = Math.min(BATCH, missing - done);
    const columns: unknown[][] = Array.from({ length: 17 }, () => []);
    for (let i = 0; i < size; i += 1) {
      seq += 1n;
      const at = new Date(start + ((done + i) / missing) * (end - start));
      let pick = rand();
      const client = CLIENTS.find((c) => (pick -= c.share) < 0) ?? CLIENTS[0];
      const purpose = client.purposes[Math.floor(rand() * client.purposes.length)];
      const roll = rand();
      const outcome = roll < 0.95 ? 'OK' : roll < 0.98 ? 'PARTIAL' : 'DENIED';
      const subjects = outcome === 'DENIED' ? [] : [citizenId(Math.floor(rand() * 200_000))];
      const fields = outcome === 'DENIED' ? [] : client.fields;
      const denied = outcome === 'OK' ? [] : ['Citizen.insurance'];
      const entry = {
        requestId: `bench-${seq}`,
        clientRequestId: null,
        atText: at.toISOString().replace(/Z$/, '000Z'),
        clientId: client.id,
        actor: `officer-${Math.floor(rand() * 500)}`,
        purpose,
        caseId: rand() < 0.5 ? `HS-${Math.floor(rand() * 400_000)}` : null,
        operation: 'CitizenProfile',
        documentHash: 'b'.repeat(64),
        subjects,
        fields,
        denied,
        outcome,
        durationMs: Math.floor(rand() * 80),
        restrictedUntilText: null,
      };
      const hash = entryHash(entry, seq, previousHash);
      const row = [
        seq.toString(),
        entry.requestId,
        entry.atText,
        entry.clientId,
        entry.actor,
        entry.purpose,
        entry.caseId,
        entry.operation,
        entry.documentHash,
        textArrayLiteral(subjects),
        textArrayLiteral(fields),
        textArrayLiteral(denied),
        outcome,
        entry.durationMs,
        null,
        previousHash,
        hash,
      ];
      row.forEach((value, column) => columns[column].push(value));
      previousHash = hash;
    }
    // One array per column: 17 bindings whatever the batch size.
    await db.transaction(async (trx) => {
      await trx.raw(
        `INSERT INTO audit.entries (seq, request_id, at, client_id, actor, purpose, case_id,
           operation, document_hash, subjects, fields, denied, outcome, duration_ms,
           restricted_until, previous_hash, hash)
         SELECT seq, request_id, at, client_id, actor, purpose, case_id, operation, document_hash,
                subjects::text[], fields::text[], denied::text[], outcome, duration_ms,
                restricted_until, previous_hash, hash
           FROM unnest(?::bigint[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],
                ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::integer[], ?::timestamptz[], ?::text[], ?::text[])
             AS t(seq, request_id, at, client_id, actor, purpose, case_id, operation,
                  document_hash, subjects, fields, denied, outcome, duration_ms,
                  restricted_until, previous_hash, hash)`,
        columns.map((values) =>
          textArrayLiteral(values.map((v) => (v === null ? 'NULL' : String(v)))).replace(
            /"NULL"/g,
            'NULL',
          ),
        ),
      );
      await trx.raw('UPDATE audit.head SET seq = ?::bigint, hash = ?', [
        seq.toString(),
        previousHash,
      ]);
    });
    have += size;
    if ((done / BATCH) % 50 === 0) {
      process.stderr.write(
        `  ${have.toLocaleString('en')} entries (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
  await db.raw('ANALYZE audit.entries');
  return have;
}

interface LogPage {
  auditLog: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const PAGE_QUERY = `query ConsoleAuditLog($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { cursor node { seq requestId at client actor purpose caseId operation subjects fields denied outcome durationMs } }
    pageInfo { hasNextPage endCursor }
  }
}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      entries: { type: 'string', default: '1000000' },
      pages: { type: 'string', default: '10' },
      explain: { type: 'boolean', default: false },
    },
  });
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('set TEST_DATABASE_URL to the PostgreSQL database to fill');
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 4 } });
  const seeded = await rowsOf<{ t: string | null }>(
    db.raw("SELECT to_regclass('population.citizens')::text AS t"),
  );
  if (!seeded[0].t)
    await seedNationalDatabases(() => db, { citizens: TEST_CITIZENS, seed: TEST_SEED });
  await migrateAudit(db);
  // Monthly partitions for the whole span, as a gateway running for months would have made.
  await ensureAuditPartitions(db, {
    now: new Date(Date.now() - SPAN_DAYS * DAY),
    partitionMonthsAhead: 5,
  });
  const total = await fill(db, Number(values.entries));
  process.stdout.write(`access log: ${total.toLocaleString('en')} entries\n`);

  const t = await startTestGateway();
  const auditor = { authorization: 'Bearer demo-auditor' };
  const pages = Number(values.pages);
  const recent = new Date(Date.now() - 3 * DAY).toISOString();
  const old = {
    from: new Date(Date.now() - 60 * DAY).toISOString(),
    to: new Date(Date.now() - 59 * DAY).toISOString(),
  };
  const [subject] = await rowsOf<{ s: string }>(
    db.raw(
      'SELECT subjects[1] AS s FROM audit.entries WHERE cardinality(subjects) > 0 ORDER BY seq DESC LIMIT 1',
    ),
  );
  const [kase] = await rowsOf<{ c: string }>(
    db.raw(
      'SELECT case_id AS c FROM audit.entries WHERE case_id IS NOT NULL ORDER BY seq DESC LIMIT 1',
    ),
  );
  const scenarios: [string, Record<string, string>][] = [
    ['no filter', {}],
    ['client', { client: 'vss-insurance' }],
    ['subject id', { subjectId: subject.s }],
    ['purpose (rare)', { purpose: 'INVESTIGATION' }],
    ['case id', { caseId: kase.c }],
    ['outcome DENIED', { outcome: 'DENIED' }],
    ['purpose with no entry', { purpose: 'NO_SUCH_PURPOSE' }],
    ['outcome with no entry (ERROR)', { outcome: 'ERROR' }],
    ['last 3 days', { from: recent }],
    ['one day, 2 months ago', old],
    ['client + outcome + day', { client: 'bank-ekyc', outcome: 'PARTIAL', ...old }],
  ];
  process.stdout.write(
    `\n| filter | first page (ms) | next ${pages} pages, median (ms) | max (ms) |\n| --- | ---: | ---: | ---: |\n`,
  );
  for (const [name, filter] of scenarios) {
    const times: number[] = [];
    let after: string | null = null;
    for (let page = 0; page <= pages; page += 1) {
      const began = performance.now();
      const { body }: { body: { data?: LogPage; errors?: unknown[] } } = await t.graphql<LogPage>(
        PAGE_QUERY,
        { filter, first: 50, after },
        auditor,
      );
      times.push(performance.now() - began);
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      after = body.data!.auditLog.pageInfo.endCursor;
      if (!body.data!.auditLog.pageInfo.hasNextPage) break;
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    // A filter whose matches fit in one page has no next pages.
    const median = rest.length ? rest[Math.floor(rest.length / 2)].toFixed(1) : '—';
    process.stdout.write(
      `| ${name} | ${times[0].toFixed(1)} | ${median} | ${Math.max(...times).toFixed(1)} |\n`,
    );
  }
  for (const [name, query, variables] of [
    [
      'timeline, 30 days by day',
      '{ accessTimeline(bucket: DAY) { at client purpose total refused } }',
      {},
    ],
    [
      'timeline, 7 days by hour',
      'query($from: DateTime) { accessTimeline(from: $from, bucket: HOUR) { at client total refused } }',
      { from: new Date(Date.now() - 7 * DAY).toISOString() },
    ],
    ['anomalies, 7 days', '{ accessAnomalies { kind client count baseline } }', {}],
  ] as const) {
    const began = performance.now();
    const { body } = await t.graphql(query, variables, auditor);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    process.stdout.write(`${name}: ${(performance.now() - began).toFixed(0)} ms\n`);
  }
  if (values.explain) {
    for (const [name, where] of [
      ['purpose', "purpose = 'INVESTIGATION'"],
      ['outcome', "outcome = 'DENIED'"],
      ['absent outcome', "outcome = 'ERROR'"],
      ['no filter', 'true'],
      ['subject', `subjects @> ARRAY['${subject.s}']::text[]`],
      ['old day', `at >= '${old.from}' AND at < '${old.to}'`],
    ]) {
      const plan = await rowsOf<{ 'QUERY PLAN': string }>(
        db.raw(
          `EXPLAIN (ANALYZE, BUFFERS) SELECT seq FROM audit.entries WHERE ${where} ORDER BY seq DESC LIMIT 51`,
        ),
      );
      process.stdout.write(`\n-- ${name}\n${plan.map((row) => row['QUERY PLAN']).join('\n')}\n`);
    }
  }
  await t.close();
  await db.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
