import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SQL } from './targets/sql';

/**
 * pgbench replaying W1's statements: the database's own limit for this workload, context only.
 * Each transaction is one W1 request as raw-http issues it: the same statements, prepared once
 * per connection as the gateway's adapters prepare them, the employers' level only when the
 * gateway would issue it (employers not already read with the roles), for a random citizen of
 * the same subject pool (`bench.subjects`).
 */

export function pgbenchAvailable(): boolean {
  return spawnSync('pgbench', ['--version']).status === 0;
}

/** pgbench's prepared mode binds `:name` as a parameter, as node-postgres binds `$1`. */
function asPgbench(sql: string, replacements: string[]): string {
  let out = sql;
  replacements.forEach((value, index) => {
    out = out.replaceAll(`$${index + 1}`, value);
  });
  return out.replace(/\s+/g, ' ').trim() + ';';
}

export function w1Script(subjects: number): string {
  return [
    `\\set n random(1, ${subjects})`,
    'SELECT citizen_id, employers, has_employers FROM bench.subjects WHERE n = :n \\gset',
    asPgbench(SQL.citizensById, ['ARRAY[:citizen_id]']),
    asPgbench(SQL.rolesOfCitizens, ['ARRAY[:citizen_id]']),
    asPgbench(SQL.rightsOfHolders, [`ARRAY['CITIZEN']`, 'ARRAY[:citizen_id]']),
    asPgbench(SQL.recordsWithContributionsByCitizen, ['ARRAY[:citizen_id]']),
    asPgbench(SQL.servantsByCitizen, ['ARRAY[:citizen_id]']),
    '\\if :has_employers',
    asPgbench(SQL.enterprisesByCode, [':employers::text[]']),
    '\\endif',
    '',
  ].join('\n');
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  p50: number;
  p99: number;
  failed: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs the W1 script for `seconds` with `clients` connections; latencies from its per-transaction log. */
export async function runPgbench(
  databaseUrl: string,
  subjects: number,
  clients: number,
  seconds: number,
): Promise<PgbenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pgbench-'));
  try {
    const script = path.join(dir, 'w1.sql');
    fs.writeFileSync(script, w1Script(subjects));
    const args = [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      '-f',
      script,
      '-l',
      `--log-prefix=${path.join(dir, 'log')}`,
      databaseUrl,
    ];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`pgbench exited ${code}:\n${text}`)),
      );
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    const processed = /number of transactions actually processed: (\d+)/.exec(output);
    const failed = /number of failed transactions: (\d+)/.exec(output);
    if (!tps || !processed) throw new Error(`unexpected pgbench output:\n${output}`);
    const latencies: number[] = [];
    for (const file of fs.readdirSync(dir).filter((name) => name.startsWith('log'))) {
      for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
        const fields = line.split(' ');
        // client_id transaction_no latency_us script_no epoch epoch_us
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
      }
    }
    const sorted = Float64Array.from(latencies).sort();
    return {
      tps: Number(tps[1]),
      transactions: Number(processed[1]),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      failed: failed ? Number(failed[1]) : 0,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
