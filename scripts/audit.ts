/**
 * The access log's command line: verify the chain, export entries, print statistics, create the
 * schema, measure the writer. Exit codes: 0 done, 1 the chain is broken, 2 could not do it.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { knex, type Knex } from 'knex';
import {
  AuditInputError,
  AuditLog,
  AuditUnavailableError,
  loadSigningKey,
  loadVerificationKeys,
  migrateAudit,
  type AuditEntryInput,
  type AuditStatsRow,
} from '../src/audit';
import {
  AuditWitnesses,
  listFrom,
  logOriginFrom,
  logVerifierKey,
  witnessTargetsFrom,
} from '../src/witness';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/national';

const USAGE = `Usage: npx tsx scripts/audit.ts <command> [options]

Commands:
  verify [--from ISO] [--to ISO] [--skip-signatures] [--json]
      Recompute the hash chain and check the signed checkpoints; exit 1 when it is broken.
  export --from ISO --to ISO [--format ndjson|csv] [--out FILE]
      Write the entries logged in [from, to) in chain order (standard output by default).
  stats [--from ISO] [--to ISO] [--json]
      Entries per client and purpose, by outcome, with refusals.
  migrate
      Create or update the audit schema and its partitions (run as the schema owner).
  log-key
      Print the log's verifier key, for a witness's WITNESS_LOG_KEYS.
  bench [--entries N] [--concurrency C] [--flush-ms MS] [--embedded]
      Measure group-commit throughput in a scratch database created and dropped for the run
      (on the configured server, or in memory with --embedded).

Database: AUDIT_DATABASE_URL, else GATEWAY_DATABASE_URL, else DATABASE_URL, else ${DEFAULT_URL}.
Keys: AUDIT_PUBLIC_KEY or AUDIT_PUBLIC_KEY_FILE (PEM), or AUDIT_SIGNING_KEY(_FILE), to check the
signatures of checkpoints.
Witnesses: AUDIT_WITNESS_URL (comma-separated) with AUDIT_WITNESS_KEYS (their verifier keys, in
the same order) and AUDIT_LOG_ORIGIN: verify compares the log with each of them.`;

/** An expected failure: printed as one line, exit code 2 unless said otherwise. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

function databaseUrl(): string {
  return (
    process.env.AUDIT_DATABASE_URL ||
    process.env.GATEWAY_DATABASE_URL ||
    process.env.DATABASE_URL ||
    DEFAULT_URL
  );
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

function date(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (value.trim() === '' || Number.isNaN(parsed.getTime())) {
    throw new CliError(`--${name}: expected an ISO 8601 date or date-time, got "${value}"`);
  }
  return parsed;
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new CliError(`--${name}: expected a positive integer, got "${value}"`);
  }
  return parsed;
}

// knex prints pool errors with stack traces; the commands report them as one line instead.
const quiet = (message: unknown) => {
  if (process.env.AUDIT_DEBUG) process.stderr.write(`knex: ${String(message)}\n`);
};
const QUIET_LOG = { warn: quiet, error: quiet, deprecate: quiet, debug: quiet };

function open(url: string, poolSize = 4): Knex {
  return knex({ client: 'pg', connection: url, pool: { min: 0, max: poolSize }, log: QUIET_LOG });
}

/** Fails early, with a message that says what to do, when the log is not reachable. */
async function assertReachable(db: Knex, url: string): Promise<void> {
  try {
    await db.raw('SELECT 1 FROM audit.head');
  } catch (error) {
    throw explain(error, url);
  }
}

/** Turns a database error into one line a person can act on. */
function explain(error: unknown, url: string): Error {
  let cause = error;
  while (cause instanceof AuditUnavailableError && cause.cause) cause = cause.cause;
  if (cause instanceof CliError || cause instanceof AuditInputError) return cause;
  const { code, message } = cause as { code?: string; message?: string };
  const where = redact(url);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return new CliError(`cannot connect to ${where} (${code}): is PostgreSQL running?`);
    case '3D000':
      return new CliError(`the database in ${where} does not exist`);
    case '28P01':
    case '28000':
      return new CliError(`${where} refused the credentials: ${message}`);
    case '55000':
    case '57P03':
      return new CliError(`${where} does not accept connections: ${message}`);
    case '42P01':
    case '3F000':
      return new CliError(
        `there is no audit log in ${where}: the gateway creates it on start, or run "migrate"`,
      );
    case '42501':
      return new CliError(`permission denied on ${where}: ${message}`);
    default:
      return new CliError(`${message ?? String(cause)}${code ? ` (${code})` : ''}`);
  }
}

async function verify(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'skip-signatures': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const from = date('from', values.from);
  const to = date('to', values.to);
  const checkSignatures = !values['skip-signatures'];
  const verificationKeys = loadVerificationKeys();
  if (checkSignatures && verificationKeys.length === 0) {
    throw new CliError(
      'no key to check checkpoint signatures: set AUDIT_PUBLIC_KEY (or AUDIT_PUBLIC_KEY_FILE, ' +
        'AUDIT_SIGNING_KEY), or pass --skip-signatures to check the hash chain only',
    );
  }
  let targets;
  let origin;
  try {
    targets = witnessTargetsFrom(
      listFrom(process.env.AUDIT_WITNESS_URL),
      listFrom(process.env.AUDIT_WITNESS_KEYS),
    );
    origin = logOriginFrom(process.env);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  return withDatabase(async (db) => {
    const witnessing =
      targets.length > 0 ? new AuditWitnesses({ origin, knex: db, witnesses: targets }) : undefined;
    const log = new AuditLog(db, { verificationKeys, witnessing });
    const report = await log.verify({ from, to, checkSignatures });
    const checks = report.witnesses ?? [];
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else if (report.ok) {
      process.stdout.write(
        `OK: ${report.message}${checkSignatures ? '' : ' Signatures were not checked.'}\n`,
      );
    } else {
      const request = report.firstBrokenRequestId
        ? ` (request ${report.firstBrokenRequestId})`
        : '';
      process.stdout.write(
        `BROKEN: ${report.problem} at entry ${report.firstBrokenSeq}${request}\n` +
          `${report.message}\nChecked ${report.checkedEntries} entries and ` +
          `${report.checkedCheckpoints} checkpoints before the break.\n`,
      );
    }
    if (!values.json) {
      if (targets.length === 0) {
        process.stdout.write(
          'No witness configured (AUDIT_WITNESS_URL): a dropped tail cannot be detected.\n',
        );
      } else if (to !== undefined) {
        process.stdout.write('Witnesses not consulted: --to leaves out the head.\n');
      }
      for (const check of checks) {
        const state = !check.reachable ? 'UNREACHABLE' : check.ok ? 'OK' : check.problem;
        process.stdout.write(`Witness ${check.url}: ${state}: ${check.message}\n`);
      }
    }
    if (!report.ok) return 1;
    // Every witness unreachable: a dropped tail would have gone unseen, so this is no pass.
    if (checks.length > 0 && checks.every((check) => !check.reachable)) {
      process.stderr.write('audit: no witness could be asked: the tail is unverified\n');
      return 2;
    }
    return 0;
  });
}

async function exportEntries(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'ndjson' },
      out: { type: 'string' },
    },
  });
  const from = date('from', values.from);
  const to = date('to', values.to);
  if (!from || !to) throw new CliError('export needs --from and --to');
  const format = values.format;
  if (format !== 'ndjson' && format !== 'csv') {
    throw new CliError(`--format: expected ndjson or csv, got "${format}"`);
  }
  return withDatabase(async (db) => {
    const log = new AuditLog(db);
    const out = values.out ? createWriteStream(values.out) : process.stdout;
    // A closed pipe (`| head`) ends the export quietly.
    if (!values.out) {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0);
      });
    }
    if (values.out) {
      try {
        await once(out, 'open');
      } catch (error) {
        throw new CliError(`--out: cannot write ${values.out}: ${(error as Error).message}`);
      }
    }
    const written = await log.export({ from, to, format }, out);
    if (values.out) {
      out.end();
      await once(out, 'finish');
    }
    process.stderr.write(`Exported ${written} entries.\n`);
    return 0;
  });
}

function statsTable(rows: AuditStatsRow[]): string {
  const header = [
    'client',
    'purpose',
    'total',
    'OK',
    'PARTIAL',
    'DENIED',
    'UNAUTH',
    'ERROR',
    'refused',
  ];
  const lines = rows.map((row) => [
    row.clientId,
    row.purpose ?? '-',
    ...[
      row.total,
      row.byOutcome.OK,
      row.byOutcome.PARTIAL,
      row.byOutcome.DENIED,
      row.byOutcome.UNAUTHENTICATED,
      row.byOutcome.ERROR,
      row.refused,
    ].map(String),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...lines.map((line) => line[column].length)),
  );
  // Names left-aligned, numbers right-aligned.
  const format = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]),
      )
      .join('  ');
  return [format(header), ...lines.map(format)].join('\n');
}

async function stats(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const from = date('from', values.from);
  const to = date('to', values.to);
  return withDatabase(async (db) => {
    const rows = await new AuditLog(db).stats({ from, to });
    if (values.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) process.stdout.write('No entries in the range.\n');
    else process.stdout.write(`${statsTable(rows)}\n`);
    return 0;
  });
}

async function migrate(): Promise<number> {
  const url = databaseUrl();
  const db = open(url);
  try {
    const result = await migrateAudit(db);
    process.stdout.write(
      `The audit schema is up to date in ${redact(url)}` +
        (result.created.length > 0 ? `; created ${result.created.join(', ')}.\n` : '.\n'),
    );
    for (const failure of result.failed) {
      process.stderr.write(`Partition ${failure.name} not created: ${failure.error}\n`);
    }
    return 0;
  } catch (error) {
    throw explain(error, url);
  } finally {
    await db.destroy();
  }
}

function logKey(): number {
  const keys = loadVerificationKeys();
  if (keys.length === 0) {
    throw new CliError(
      'set AUDIT_SIGNING_KEY(_FILE) or AUDIT_PUBLIC_KEY(_FILE) to name the log key',
    );
  }
  const origin = logOriginFrom(process.env);
  for (const key of keys) process.stdout.write(`${logVerifierKey(origin, key)}\n`);
  return 0;
}

async function withDatabase(work: (db: Knex) => Promise<number>): Promise<number> {
  const url = databaseUrl();
  const db = open(url);
  try {
    await assertReachable(db, url);
    return await work(db);
  } catch (error) {
    throw explain(error, url);
  } finally {
    await db.destroy();
  }
}

function benchEntry(index: number): AuditEntryInput {
  return {
    requestId: `bench-${index}`,
    at: new Date(),
    clientId: 'demo-portal',
    actor: 'official-0042',
    purpose: '1.001234',
    caseId: `HS-${index}`,
    operation: 'prefill',
    documentHash: 'a'.repeat(64),
    subjects: [String(100_000_000_000 + index).padStart(12, '0')],
    fields: ['Citizen.fullName', 'Citizen.dateOfBirth', 'Citizen.permanentAddress'],
    denied: index % 10 === 0 ? ['Citizen.insurance'] : [],
    outcome: index % 10 === 0 ? 'PARTIAL' : 'OK',
    durationMs: 12,
    restrictedUntil: null,
  };
}

async function runBench(
  db: Knex,
  entries: number,
  concurrency: number,
  flushIntervalMs: number,
): Promise<void> {
  await migrateAudit(db);
  let transactions = 0;
  db.on('query', (query: { sql: string }) => {
    if (
      /^insert into audit\.entries|^with entries as \(insert into audit\.entries/i.test(query.sql)
    ) {
      transactions += 1;
    }
  });
  const log = new AuditLog(db, { signingKey: loadSigningKey({}), flushIntervalMs });
  await Promise.all(Array.from({ length: 100 }, (_, i) => log.append(benchEntry(-1 - i))));
  transactions = 0;
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  // Each worker stands for a request in flight: it appends, waits for the commit, goes again.
  await Promise.all(
    Array.from({ length: Math.min(concurrency, entries) }, async () => {
      while (next < entries) {
        const index = next++;
        const t0 = process.hrtime.bigint();
        await log.append(benchEntry(index));
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await log.close();
  const verifyStarted = process.hrtime.bigint();
  const report = await log.verify();
  const verifySeconds = Number(process.hrtime.bigint() - verifyStarted) / 1e9;
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  process.stdout.write(
    `${entries} appends, ${Math.min(concurrency, entries)} concurrent: ${(seconds * 1000).toFixed(0)} ms, ` +
      `${Math.round(entries / seconds)} entries/s, ${transactions} transactions ` +
      `(${(entries / transactions).toFixed(1)} entries each), latency p50 ${percentile(0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(0.99).toFixed(1)} ms.\nverify: ${report.checkedEntries} entries in ` +
      `${(verifySeconds * 1000).toFixed(0)} ms (${Math.round(report.checkedEntries / verifySeconds)} entries/s), ` +
      `${report.ok ? 'intact' : `BROKEN: ${report.message}`}.\n`,
  );
}

async function bench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      entries: { type: 'string' },
      concurrency: { type: 'string' },
      'flush-ms': { type: 'string' },
      embedded: { type: 'boolean', default: false },
    },
  });
  const entries = count('entries', values.entries, 1000);
  const concurrency = count('concurrency', values.concurrency, entries);
  const flushMs = values['flush-ms'] === undefined ? 2 : Number(values['flush-ms']);
  if (!Number.isFinite(flushMs) || flushMs < 0) {
    throw new CliError(
      `--flush-ms: expected a number of milliseconds, got "${values['flush-ms']}"`,
    );
  }
  if (values.embedded) {
    // PGlite is ESM-first; loaded only for this command.
    const { PGlite } = await import('@electric-sql/pglite');
    const ClientPgLite = (await import('knex-pglite')).default;
    const pglite = new PGlite();
    const db = knex({
      client: ClientPgLite,
      dialect: 'postgres',
      connection: () => ({ pglite }) as object,
    } as Knex.Config);
    try {
      await runBench(db, entries, concurrency, flushMs);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  const url = databaseUrl();
  const scratch = `audit_bench_${process.pid}_${Date.now()}`;
  const admin = open(url);
  try {
    await admin.raw(`CREATE DATABASE ${scratch}`);
  } catch (error) {
    await admin.destroy();
    throw explain(error, url);
  }
  const scratchUrl = new URL(url);
  scratchUrl.pathname = `/${scratch}`;
  const db = open(scratchUrl.toString(), 10);
  try {
    await runBench(db, entries, concurrency, flushMs);
  } finally {
    await db.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.destroy();
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'verify':
      return verify(args);
    case 'export':
      return exportEntries(args);
    case 'stats':
      return stats(args);
    case 'migrate':
      return migrate();
    case 'log-key':
      return logKey();
    case 'bench':
      return bench(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const expected =
      error instanceof CliError ||
      error instanceof AuditInputError ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`audit: ${message}\n`);
    if (!expected && process.env.AUDIT_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 2;
  },
);
